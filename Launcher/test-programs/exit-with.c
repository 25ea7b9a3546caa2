/* exit-with.exe <code>: exits with that (decimal) exit code. */
#include <stdlib.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv)
{
    return argc > 1 ? (int)wcstoul(argv[1], NULL, 10) : 0;
}
