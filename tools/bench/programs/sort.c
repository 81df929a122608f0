/* Insertion sort of 8,000 pseudo-random numbers, the same algorithm as sort.iasm, then the sum of
   every 100th sorted value. Values: x = 75 * x mod 65537, from x = 1. */
#include <stdio.h>

#define N 8000
static int a[N];

int main(void)
{
    int x = 1;
    for (int i = 0; i < N; i++) {
        a[i] = x;
        x = (75 * x) % 65537;
    }
    for (int i = 1; i < N; i++) {
        int v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
    int sum = 0;
    for (int i = 0; i < N; i += 100) sum += a[i];
    printf("%d\n", sum);
    return 0;
}
