/* main.c: the relc command.  Everything is in the library (relc_main), so
 * the tests run the same code in-process. */
#include "relc.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    return relc_main(argc, argv, stdout, stderr);
}
