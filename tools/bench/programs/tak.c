/* Takeuchi's function, the same recursion as tak.iasm: tak(26, 18, 9) = 10. */
#include <stdio.h>

static int tak(int x, int y, int z)
{
    if (y < x) return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
    return z;
}

int main(void)
{
    printf("%d\n", tak(26, 18, 9));
    return 0;
}
