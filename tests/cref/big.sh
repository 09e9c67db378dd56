#!/bin/sh
# Writes the schema of tests/test_cref.c's big objects (which no one
# would write by hand): each model a ForeignKey to Anchor and int64
# fields, so many that a Wide is about 2 KiB (31 to a region), a Hulk
# nearly a region (65296 bytes: one to a region, with the header), a
# Giant more than one (65616 bytes: its region is 128 KiB, one number).
fields() {
    i=0
    while [ "$i" -lt "$1" ]; do
        printf '    f%d: int64;\n' "$i"
        i=$((i + 1))
    done
}
model() {
    printf 'model %s {\n    anchor: ForeignKey(Anchor, on_delete = CASCADE, related_name = "%s");\n' "$1" "$2"
    fields "$3"
    printf '}\n'
}
printf '// Written by tests/cref/big.sh.\nschema big;\n\nmodel Anchor { name: string; }\n'
model Wide wides 255
model Hulk hulks 8160
model Giant giants 8200
