#!/bin/sh
# Generator scale: relc on generated schemas of 1,000, 10,000 and 100,000
# models (each with two scalar fields, a ForeignKey and a ManyToManyField),
# wall time and peak memory of each, the growth from 10,000 to 100,000
# models (linear is about 10x), and the generated code's size per model:
# lines, machine code and `gcc -O2 -c` time (measured on a 100-model schema
# of the same shape, to keep the run short).  Where protoc-c (Debian's protobuf-c-compiler)
# is installed, it compiles an equivalent .proto (the same messages, each
# with the same four fields) in the same run, and the ratio is printed.
#
#   bench/scale.sh RELC [SIZES...]
set -eu
relc=$1
shift
sizes=${*:-1000 10000 100000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/relc-scale.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# "wall_seconds peak_kib" of a command, its output thrown away.
measure() {
    /usr/bin/time -f '%e %M' -o "$dir/time" "$@" > /dev/null 2>&1 || {
        echo "scale: failed: $*" >&2
        exit 1
    }
    cat "$dir/time"
}

schema() {  # n -> $dir/sN.rel and $dir/sN.proto
    n=$1
    awk -v n="$n" 'BEGIN {
        printf "schema s%d;\n", n
        for (i = 0; i < n; i++) {
            printf "model M%d {\n    name: string;\n    size: int32;\n", i
            printf "    parent: ForeignKey(M%d, on_delete = CASCADE, null = true, related_name = \"children_%d\");\n", (i + n - 1) % n, i
            printf "    peers: ManyToManyField(M%d, related_name = \"peers_%d\");\n}\n", (i * 7 + 3) % n, i
        }
    }' > "$dir/s$n.rel"
    awk -v n="$n" 'BEGIN {
        printf "syntax = \"proto3\";\npackage s%d;\n", n
        for (i = 0; i < n; i++) {
            printf "message M%d {\n  string name = 1;\n  int32 size = 2;\n", i
            printf "  M%d parent = 3;\n  repeated M%d peers = 4;\n}\n", (i + n - 1) % n, (i * 7 + 3) % n
        }
    }' > "$dir/s$n.proto"
}

have_protoc=no
command -v protoc-c > /dev/null 2>&1 && have_protoc=yes

printf '| models | relc s | relc peak MiB | .c MiB | protoc-c s | protoc-c peak MiB | protoc-c/relc time |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|\n'
for n in $sizes; do
    schema "$n"
    set -- $(measure "$relc" -o "$dir/out$n" "$dir/s$n.rel")
    rt=$1 rm=$2
    eval "t_$n=$rt"
    csize=$(wc -c < "$dir/out$n/s$n.c")
    pt=- pm=- ratio=-
    if [ $have_protoc = yes ]; then
        mkdir -p "$dir/pb$n"
        set -- $(measure protoc-c --c_out="$dir/pb$n" -I"$dir" "$dir/s$n.proto")
        pt=$1 pm=$(awk -v k="$2" 'BEGIN { printf "%.0f", k / 1024 }')
        ratio=$(awk -v p="$pt" -v r="$rt" 'BEGIN { printf "%.1f", (r > 0 ? p / r : 0) }')
    fi
    printf '| %s | %s | %.0f | %.1f | %s | %s | %s |\n' "$n" "$rt" "$(awk -v k="$rm" 'BEGIN { print k / 1024 }')" \
        "$(awk -v c="$csize" 'BEGIN { print c / 1048576 }')" "$pt" "$pm" "$ratio"
    rm -rf "$dir/out$n" "$dir/pb$n"
done
if [ -n "${t_10000:-}" ] && [ -n "${t_100000:-}" ]; then
    awk -v a="$t_10000" -v b="$t_100000" 'BEGIN { printf "\nrelc time growth from 10,000 to 100,000 models: %.1fx (linear: 10x)\n", (a > 0 ? b / a : 0) }'
fi
# The generated code's size per model, on a 100-model schema: lines of
# NAME.h and NAME.c (inline functions a program never calls cost it
# nothing, but they are read), machine code and data of NAME.o at -O2
# (size(1): text + data), and gcc -O2 -c time.
schema 100
"$relc" -o "$dir/g" "$dir/s100.rel"
rtdir=$(cd "$(dirname "$0")/../runtime" && pwd)
set -- $(measure gcc -O2 -c -I"$rtdir" -I"$dir/g" -o "$dir/g/s.o" "$dir/g/s100.c")
gcc_s=$1
lines=$(cat "$dir/g/s100.h" "$dir/g/s100.c" | wc -l)
bytes=$(size "$dir/g/s.o" | awk 'NR == 2 { print $1 + $2 }')
printf '\nper model (100 models): %d lines of .h and .c, %d bytes of -O2 code and data, gcc -O2 -c %.1f ms (%.2f s in all)\n' \
    $((lines / 100)) $((bytes / 100)) "$(awk -v t="$gcc_s" 'BEGIN { print t * 10 }')" "$gcc_s"
