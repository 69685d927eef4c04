/*
 * The producer's logo: only PNG is taken, checked by its signature and by
 * decoding it whole with libpng before anything is drawn or stored, within
 * bounds of bytes and pixels so that a logo cannot swell a print run or
 * the memory that draws it. For drawing it is flattened to 8-bit RGB over
 * white: a stamp is printed on white stock.
 */
#include "internal.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/* Decodes into *rgb (malloc'd, width * height * 3) when rgb is not NULL. */
static ocl_result decode(const unsigned char *png, size_t len, const char *field,
                         unsigned char **rgb, int *width, int *height, ocl_problems *problems)
{
    if (len > OCL_LOGO_BYTES_MAX)
        return ocl_problem_add(problems, field, "the logo is %zu bytes; at most %d are taken", len,
                               OCL_LOGO_BYTES_MAX);
    if (len < sizeof(png_signature) || memcmp(png, png_signature, sizeof(png_signature)) != 0)
        return ocl_problem_add(problems, field,
                               "the logo must be a PNG image (its first bytes "
                               "are not PNG's signature)");
    png_image image;
    memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, png, len))
        return ocl_problem_add(problems, field, "the logo is not a readable PNG: %.120s",
                               image.message);
    if (image.width > OCL_LOGO_SIDE_MAX || image.height > OCL_LOGO_SIDE_MAX) {
        png_image_free(&image);
        return ocl_problem_add(
            problems, field, "the logo is %u x %u pixels; at most %d x %d are taken",
            (unsigned)image.width, (unsigned)image.height, OCL_LOGO_SIDE_MAX, OCL_LOGO_SIDE_MAX);
    }
    image.format = PNG_FORMAT_RGB;
    size_t size = PNG_IMAGE_SIZE(image);
    unsigned char *pixels = malloc(size);
    if (!pixels) {
        png_image_free(&image);
        return OCL_ENOMEM;
    }
    png_color white = {255, 255, 255};
    if (!png_image_finish_read(&image, &white, pixels, 0, NULL)) {
        free(pixels);
        return ocl_problem_add(problems, field, "the logo is not a readable PNG: %.120s",
                               image.message);
    }
    if (width)
        *width = (int)image.width;
    if (height)
        *height = (int)image.height;
    if (rgb)
        *rgb = pixels;
    else
        free(pixels);
    return OCL_OK;
}

ocl_result ocl_logo_check(const unsigned char *png, size_t len, const char *field, int *width,
                          int *height, ocl_problems *problems)
{
    if (!png)
        return ocl_problem_add(problems, field, "no logo given");
    return decode(png, len, field, NULL, width, height, problems);
}

ocl_result ocl_logo_rgb(const unsigned char *png, size_t len, const char *field,
                        unsigned char **rgb, int *width, int *height, ocl_problems *problems)
{
    *rgb = NULL;
    if (!png)
        return ocl_problem_add(problems, field, "no logo given");
    return decode(png, len, field, rgb, width, height, problems);
}
