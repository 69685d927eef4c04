/*
 * SVG output: a white square and every dark module in one path, each
 * horizontal run of modules merged into one rectangle. Coordinates are in
 * modules (the viewBox), the physical size in millimetres from module_px and
 * dpi, so the SVG prints at the same size as the PNG.
 */
#include "internal.h"

#include <stdio.h>

static ocl_result append_text(ocl_buffer *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static ocl_result append_text(ocl_buffer *out, const char *fmt, ...)
{
    char chunk[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(chunk, sizeof(chunk), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(chunk))
        return OCL_ERANGE;
    return ocl_buffer_append(out, chunk, (size_t)n);
}

ocl_result ocl_svg_write_buffer(const ocl_qr *qr, const ocl_image_options *options, ocl_buffer *out)
{
    if (!qr || !qr->modules || !options || !out || options->module_px < 1 || options->dpi < 1)
        return OCL_EINVAL;
    int n = qr->size;
    double mm = (double)n * options->module_px * 25.4 / options->dpi;
    ocl_result rc = append_text(out,
                                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                                "width=\"%.3fmm\" height=\"%.3fmm\" viewBox=\"0 0 %d %d\" "
                                "shape-rendering=\"crispEdges\">\n",
                                mm, mm, n, n);
    if (rc == OCL_OK)
        rc = append_text(out,
                         "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n<path "
                         "fill=\"#000000\" d=\"",
                         n, n);
    for (int y = 0; y < n && rc == OCL_OK; y++) {
        const unsigned char *row = qr->modules + (size_t)y * (size_t)n;
        for (int x = 0; x < n && rc == OCL_OK;) {
            if (!row[x]) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < n && row[x + run])
                run++;
            rc = append_text(out, "M%d %dh%dv1h-%dz", x, y, run, run);
            x += run;
        }
    }
    if (rc == OCL_OK)
        rc = append_text(out, "\"/>\n</svg>\n");
    return rc;
}
