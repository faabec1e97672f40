/* image.c - image dimensions and EXIF GPS; see image.h. */
#include "image.h"

#include <libexif/exif-data.h>
#include <string.h>

static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The first start-of-frame marker of a JPEG gives its size. */
static void jpeg_size(const uint8_t *d, size_t n, dlp_image_t *out)
{
    size_t i = 2;
    while (i + 9 < n) {
        if (d[i] != 0xFF) {
            i++;
            continue;
        }
        uint8_t mk = d[i + 1];
        if (mk == 0xD8 || mk == 0x01 || (mk >= 0xD0 && mk <= 0xD7) || mk == 0xFF) {
            i += mk == 0xFF ? 1 : 2;
            continue;
        }
        uint32_t len = be16(d + i + 2);
        if (mk >= 0xC0 && mk <= 0xCF && mk != 0xC4 && mk != 0xC8 && mk != 0xCC) {
            out->height = be16(d + i + 5);
            out->width = be16(d + i + 7);
            return;
        }
        if (len < 2)
            return;
        i += 2 + len;
    }
}

static int has_gps(const uint8_t *d, size_t n)
{
    if (n > UINT32_MAX)
        return 0;
    ExifData *ed = exif_data_new_from_data(d, (unsigned int)n);
    if (!ed)
        return 0;
    ExifContent *gps = ed->ifd[EXIF_IFD_GPS];
    int found = gps && exif_content_get_entry(gps, (ExifTag)EXIF_TAG_GPS_LATITUDE) &&
                exif_content_get_entry(gps, (ExifTag)EXIF_TAG_GPS_LONGITUDE);
    exif_data_unref(ed);
    return found;
}

void dlp_image_inspect(const uint8_t *d, size_t n, const char *type, dlp_image_t *out)
{
    memset(out, 0, sizeof(*out));
    if (n >= 24 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8) && !memcmp(d + 12, "IHDR", 4)) {
        out->width = be32(d + 16);
        out->height = be32(d + 20);
    } else if (n >= 10 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6))) {
        out->width = le16(d + 6);
        out->height = le16(d + 8);
    } else if (n >= 26 && d[0] == 'B' && d[1] == 'M') {
        out->width = le32(d + 18);
        out->height = le32(d + 22) & 0x7fffffffu;
    } else if (n >= 4 && d[0] == 0xFF && d[1] == 0xD8) {
        jpeg_size(d, n, out);
        out->gps = has_gps(d, n);
    } else if (type && !strcmp(type, "image/tiff")) {
        out->gps = has_gps(d, n);
    }
}
