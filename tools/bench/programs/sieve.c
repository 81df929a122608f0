/* Sieve of Eratosthenes: count the primes below 4,000,000, as sieve.iasm does. */
#include <stdio.h>

#define N 4000000
static int composite[N];

int main(void)
{
    int count = 0;
    for (int i = 2; i < N; i++) {
        if (!composite[i]) {
            count++;
            if (i <= 2000)
                for (int j = i * i; j < N; j += i) composite[j] = 1;
        }
    }
    printf("%d\n", count);
    return 0;
}
