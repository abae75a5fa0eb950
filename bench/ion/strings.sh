# String and array building (positional parameters are sh's only array).
n=3000
s=""
set --
i=0
while [ $i -lt $n ]; do
    s="${s}x$i,"
    set -- "$@" "$i"
    i=$((i + 1))
done
echo ${#s} $#
