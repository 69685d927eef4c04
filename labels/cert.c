/*
 * The OCOP star certificate: one A4 landscape page in Vietnamese with the
 * issuer, the title, the numbers and dates, the product and its producer as
 * they stood on the decision date, the stars as vectors, the score, the
 * validity, the signer and a QR code whose text the caller provides (the
 * status page's URL with the signed seal).
 *
 * Every block of text is wrapped to its width and shrunk until it fits its
 * height, so a long name wraps rather than overflows.
 */
#include "pdf.h"

#include <stdio.h>
#include <string.h>

#define PAGE_W    841.89
#define PAGE_H    595.28
#define MARGIN    42.0
#define QR_SIDE   128.0 /* pt, about 45 mm */
#define LINES_MAX 12

static const char *const group_titles[OCL_GROUP_COUNT] = {
    "Thực phẩm",     "Đồ uống",
    "Thảo dược",     "Thủ công mỹ nghệ",
    "Sinh vật cảnh", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
};

const char *ocl_group_title(ocl_group group)
{
    return (unsigned)group < OCL_GROUP_COUNT ? group_titles[group] : "";
}

/* A block of text: centred between x0 and x1, hanging from `top`. */
typedef struct {
    double x0, x1;
    double top;
} column;

/* Wraps `text` at the largest size from `size` down to `min_size` that
 * keeps it to `max_lines`; draws it centred; returns the height used. */
static double draw_block(HPDF_Page page, const ocl_pdf *pdf, const column *col, const char *text,
                         double size, double min_size, int max_lines, int bold)
{
    double width = col->x1 - col->x0;
    const char *starts[LINES_MAX], *ends[LINES_MAX];
    int n = 0;
    for (;; size -= 0.5) {
        const char *at = text;
        n = 0;
        while (*at && n < LINES_MAX) {
            const char *next;
            starts[n] = at;
            ends[n] = ocl_pdf_line_end(pdf, at, width * 1000.0 / size, &next);
            n++;
            at = next;
        }
        if ((n <= max_lines && !*at) || size - 0.5 < min_size)
            break;
    }
    if (bold) {
        HPDF_Page_SetLineWidth(page, (HPDF_REAL)(size * 0.03));
        HPDF_Page_SetTextRenderingMode(page, HPDF_FILL_THEN_STROKE);
    }
    double leading = size * 1.25, y = col->top - size;
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, pdf->font, (HPDF_REAL)size);
    for (int i = 0; i < n && i < max_lines; i++, y -= leading) {
        char line[512];
        size_t len = (size_t)(ends[i] - starts[i]);
        if (len >= sizeof(line))
            len = sizeof(line) - 1;
        memcpy(line, starts[i], len);
        line[len] = '\0';
        double w = ocl_pdf_text_units(pdf, line, len) * size / 1000.0;
        HPDF_Page_SetTextMatrix(page, 1, 0, 0, 1, (HPDF_REAL)((col->x0 + col->x1 - w) / 2),
                                (HPDF_REAL)y);
        HPDF_Page_ShowText(page, line);
    }
    HPDF_Page_EndText(page);
    if (bold)
        HPDF_Page_SetTextRenderingMode(page, HPDF_FILL);
    int shown = n < max_lines ? n : max_lines;
    return shown * leading + size * 0.35;
}

static void format_date(const ocl_date *d, char out[11])
{
    snprintf(out, 11, "%02u/%02u/%04u", (unsigned)d->day % 100u, (unsigned)d->month % 100u,
             (unsigned)d->year % 10000u);
}

static void draw_frame(HPDF_Page page)
{
    HPDF_Page_SetRGBStroke(page, 0.55f, 0.38f, 0.05f);
    HPDF_Page_SetLineWidth(page, 3);
    HPDF_Page_Rectangle(page, 18, 18, (HPDF_REAL)(PAGE_W - 36), (HPDF_REAL)(PAGE_H - 36));
    HPDF_Page_Stroke(page);
    HPDF_Page_SetLineWidth(page, 0.8f);
    HPDF_Page_Rectangle(page, 26, 26, (HPDF_REAL)(PAGE_W - 52), (HPDF_REAL)(PAGE_H - 52));
    HPDF_Page_Stroke(page);
    HPDF_Page_SetRGBStroke(page, 0, 0, 0);
}

static void draw_stars(HPDF_Page page, int stars, double centre_x, double y)
{
    const double r = 15, gap = 36;
    double x = centre_x - (stars - 1) * gap / 2;
    HPDF_Page_SetRGBFill(page, 0.85f, 0.6f, 0.0f);
    for (int i = 0; i < stars; i++)
        ocl_pdf_star(page, x + i * gap, y, r);
    HPDF_Page_SetRGBFill(page, 0, 0, 0);
}

/* The code, bottom left, drawn as runs of modules. */
static ocl_result draw_code(HPDF_Page page, const char *text)
{
    ocl_qr qr;
    ocl_result rc = ocl_qr_encode((const unsigned char *)text, strlen(text), OCL_EC_M, &qr);
    if (rc != OCL_OK)
        return rc;
    double unit = QR_SIDE / qr.size, x0 = MARGIN, top = MARGIN + 14 + QR_SIDE;
    for (int y = 0; y < qr.size; y++) {
        const unsigned char *row = qr.modules + (size_t)y * (size_t)qr.size;
        for (int x = 0; x < qr.size;) {
            if (!row[x]) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < qr.size && row[x + run])
                run++;
            HPDF_Page_Rectangle(page, (HPDF_REAL)(x0 + x * unit), (HPDF_REAL)(top - (y + 1) * unit),
                                (HPDF_REAL)(run * unit), (HPDF_REAL)unit);
            x += run;
        }
    }
    HPDF_Page_Fill(page);
    ocl_qr_free(&qr);
    return OCL_OK;
}

ocl_result ocl_certificate_pdf(const ocl_certificate *c, const char *font_path, ocl_buffer *out)
{
    ocl_pdf pdf;
    ocl_result rc = ocl_pdf_open(&pdf, font_path);
    if (rc != OCL_OK)
        return rc;
    HPDF_Page page = HPDF_AddPage(pdf.doc);
    HPDF_Page_SetWidth(page, (HPDF_REAL)PAGE_W);
    HPDF_Page_SetHeight(page, (HPDF_REAL)PAGE_H);
    draw_frame(page);
    char line[1024], decided[11], until[11];
    format_date(&c->decided, decided);
    format_date(&c->valid_until, until);

    /* Heading: the issuer on the left, the national motto on the right. */
    column left = {MARGIN, PAGE_W / 2 - 20, PAGE_H - MARGIN},
           right = {PAGE_W / 2 + 20, PAGE_W - MARGIN, PAGE_H - MARGIN};
    left.top -= draw_block(page, &pdf, &left, c->issuer, 12, 8, 2, 1);
    snprintf(line, sizeof(line), "Quyết định số %s", c->decision_number);
    draw_block(page, &pdf, &left, line, 10, 8, 1, 0);
    right.top -= draw_block(page, &pdf, &right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, 8, 1, 1);
    draw_block(page, &pdf, &right, "Độc lập - Tự do - Hạnh phúc", 11, 8, 1, 0);

    column body = {MARGIN + 20, PAGE_W - MARGIN - 20, PAGE_H - 118};
    body.top -= draw_block(page, &pdf, &body, "GIẤY CHỨNG NHẬN SẢN PHẨM OCOP", 28, 18, 1, 1);
    snprintf(line, sizeof(line), "Số: %s", c->number);
    body.top -= draw_block(page, &pdf, &body, line, 13, 9, 1, 0);
    snprintf(line, sizeof(line), "Căn cứ Quyết định số %s ngày %s của %s", c->decision_number,
             decided, c->issuer);
    body.top -= draw_block(page, &pdf, &body, line, 11, 8, 2, 0) + 4;
    body.top -= draw_block(page, &pdf, &body, "CHỨNG NHẬN SẢN PHẨM", 12, 9, 1, 0);
    body.top -= draw_block(page, &pdf, &body, c->product_name, 22, 10, 3, 1);
    snprintf(line, sizeof(line), "Nhóm sản phẩm: %s%s%s",
             (unsigned)c->group < OCL_GROUP_COUNT ? group_titles[c->group] : "",
             c->gtin && *c->gtin ? "  ·  GTIN: " : "", c->gtin ? c->gtin : "");
    body.top -= draw_block(page, &pdf, &body, line, 11, 8, 2, 0);
    snprintf(line, sizeof(line), "Chủ thể sản xuất: %s", c->producer_name);
    body.top -= draw_block(page, &pdf, &body, line, 13, 9, 2, 1);
    snprintf(line, sizeof(line), "Địa chỉ: %s", c->producer_address ? c->producer_address : "");
    body.top -= draw_block(page, &pdf, &body, line, 11, 8, 2, 0) + 6;
    draw_stars(page, c->stars, PAGE_W / 2, body.top - 14);
    body.top -= 38;
    snprintf(line, sizeof(line), "Đạt %d sao  ·  Tổng điểm: %d/100 (A: %d, B: %d, C: %d)", c->stars,
             c->total, c->scores[0], c->scores[1], c->scores[2]);
    body.top -= draw_block(page, &pdf, &body, line, 12, 9, 1, 0);
    snprintf(line, sizeof(line), "Có giá trị 36 tháng kể từ ngày ký (đến hết ngày %s)", until);
    draw_block(page, &pdf, &body, line, 11, 8, 1, 0);

    /* Foot: the code on the left, the signature block on the right. */
    rc = draw_code(page, c->qr_text);
    column caption = {MARGIN - 10, MARGIN + QR_SIDE + 10, MARGIN + 12};
    draw_block(page, &pdf, &caption, "Quét mã để kiểm tra", 8, 7, 1, 0);
    column sign = {PAGE_W / 2 + 60, PAGE_W - MARGIN, MARGIN + 128};
    snprintf(line, sizeof(line), "Ngày %02d tháng %02d năm %04d", c->decided.day, c->decided.month,
             c->decided.year);
    sign.top -= draw_block(page, &pdf, &sign, line, 11, 8, 1, 0);
    sign.top -= draw_block(page, &pdf, &sign, c->signer_title, 12, 8, 3, 1) + 36;
    draw_block(page, &pdf, &sign, c->signer_name, 13, 9, 1, 1);
    if (rc == OCL_OK)
        rc = ocl_pdf_status(&pdf);
    if (rc == OCL_OK)
        rc = ocl_pdf_save(&pdf, out);
    ocl_pdf_close(&pdf);
    return rc;
}
