# Function calls with an argument.
f() {
    r=$1
}
n=100000
i=0
while [ $i -lt $n ]; do
    f $i
    i=$((i + 1))
done
echo done
