/*
 * image - what an image attachment is, without reading its pixels: its
 * dimensions from the file header (PNG, GIF, JPEG, BMP, TIFF through EXIF)
 * and whether its EXIF data carries GPS coordinates (libexif).
 */
#ifndef DLP_IMAGE_H
#define DLP_IMAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct dlp_image {
    uint32_t width, height; /* 0 when unknown */
    int gps;                /* EXIF GPS latitude and longitude present */
} dlp_image_t;

void dlp_image_inspect(const uint8_t *d, size_t n, const char *type, dlp_image_t *out);

#endif
