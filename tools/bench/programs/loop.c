/* Counting loop, as loop.iasm: 10^8 increments. The counter is volatile: otherwise the compiler
   replaces the loop with its result, and there is nothing left to compare. */
#include <stdio.h>

int main(void)
{
    volatile int i = 0;
    int n = 100000000;
    while (i < n) i = i + 1;
    printf("%d\n", i);
    return 0;
}
