# Command substitution of a builtin.
n=2000
i=0
while [ $i -lt $n ]; do
    x=$(echo hi)
    i=$((i + 1))
done
echo $x
