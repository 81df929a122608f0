/* Recursive fib(35), the same algorithm as fib.iasm. */
#include <stdio.h>

static int fib(int n)
{
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

int main(void)
{
    printf("%d\n", fib(35));
    return 0;
}
