/* Mandelbrot set, the same computation as mandel.iasm: escape iterations (at most 255 each) of a
   640 x 480 grid over [-2, 1) x [-1.2, 1.2); prints the total number of iterations. */
#include <stdio.h>

int main(void)
{
    const int width = 640, height = 480, limit = 255;
    double dx = 3.0 / 640.0;
    double dy = (12.0 / 5.0) / 480.0;
    double x0 = 0.0 - 2.0;
    double y0 = 0.0 - 6.0 / 5.0;
    int total = 0;
    double ci = y0 + 0.0;
    for (int row = 0; row < height; row++) {
        double cr = x0 + 0.0;
        for (int col = 0; col < width; col++) {
            double zr = 0.0, zi = 0.0;
            int n = 0;
            for (;;) {
                double zr2 = zr * zr;
                double zi2 = zi * zi;
                if (zr2 + zi2 > 4.0) break;
                zi = 2.0 * zr * zi + ci;
                zr = zr2 - zi2 + cr;
                n++;
                if (!(n < limit)) break;
            }
            total += n;
            cr += dx;
        }
        ci += dy;
    }
    printf("%d\n", total);
    return 0;
}
