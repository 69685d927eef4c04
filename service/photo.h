/*
 * Product photos: a producer's JPEG or PNG checked by decoding it (within
 * limits that refuse decompression bombs before any pixel is decoded),
 * scaled for phones with a box filter and written again as a JPEG. The
 * HTTP side is api/photos.c, the table store/photos.c.
 */
#ifndef OCOPTRACE_PHOTO_H
#define OCOPTRACE_PHOTO_H

#include <stddef.h>

#define PHOTO_BYTES_MAX  (2u * 1024 * 1024) /* of an upload: 2 MB */
#define PHOTO_SIDE_MAX   10000u             /* pixels on either side, as declared */
#define PHOTO_PIXELS_MAX 40000000u          /* width * height, as declared */
/* An interlaced PNG is decoded whole before it is scaled, so it is held to
 * less: 8 megapixels are 32 MB of pixels. */
#define PHOTO_INTERLACED_PIXELS_MAX 8000000u
/* Progressive JPEGs keep every coefficient; past this libjpeg refuses. */
#define PHOTO_DECODER_MEMORY_MAX (96u * 1024 * 1024)
#define PHOTO_LONGEST_SIDE       1080u /* of the stored photo */
#define PHOTO_QUALITY            80
#define PHOTO_MESSAGE_MAX        200

typedef enum { PHOTO_JPEG, PHOTO_PNG } photo_kind;

typedef enum {
    PHOTO_OK,
    PHOTO_NOT_IMAGE, /* not a (whole, supported) image of its kind */
    PHOTO_TOO_MANY_PIXELS,
    PHOTO_NO_MEMORY
} photo_status;

typedef struct {
    unsigned char *jpeg; /* malloc'd */
    size_t len;
    unsigned width, height;               /* of the stored photo */
    unsigned source_width, source_height; /* as uploaded */
} photo;

/* Decodes `data` as `kind`, scales it so that its longest side is at most
 * PHOTO_LONGEST_SIDE and encodes it as a JPEG into `out`. Anything but
 * PHOTO_OK leaves `out` empty and says why in `message`. */
photo_status photo_prepare(const unsigned char *data, size_t len, photo_kind kind, photo *out,
                           char message[PHOTO_MESSAGE_MAX]);
void photo_free(photo *p);

#endif
