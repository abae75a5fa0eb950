# Arithmetic loop: sum of 0..N-1 with a counter.
n=200000
i=0
sum=0
while [ $i -lt $n ]; do
    sum=$((sum + i))
    i=$((i + 1))
done
echo $sum
