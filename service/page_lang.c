/*
 * The scan page in Vietnamese or English: choosing the language of a
 * request and the page's fixed words in both. Vietnamese is the default:
 * the buyers are mostly Vietnamese, and a phone set to a third language
 * reads Vietnamese names on the pack anyway.
 */
#include "page_lang.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Past this many ranges of Accept-Language the rest are not read. */
#define RANGES_MAX 32

static const char *const codes[LANG_COUNT] = {"vi", "en"};

const char *page_lang_code(page_lang lang)
{
    return codes[lang];
}

/* A qvalue ("1", "0.8", "0.125") in thousandths; -1 when malformed. */
static int qvalue(const char *at, size_t len)
{
    if (len == 0 || (at[0] != '0' && at[0] != '1') || (len > 1 && at[1] != '.') || len > 5)
        return -1;
    int q = (at[0] - '0') * 1000, scale = 100;
    for (size_t i = 2; i < len; i++, scale /= 10) {
        if (at[i] < '0' || at[i] > '9')
            return -1;
        q += (at[i] - '0') * scale;
    }
    return q <= 1000 ? q : -1;
}

/* The q of one range's parameters (";q=0.8"); 1000 when none. */
static int range_q(const char *params, const char *end)
{
    while (params < end) {
        while (params < end && (*params == ';' || *params == ' ' || *params == '\t'))
            params++;
        const char *next = memchr(params, ';', (size_t)(end - params));
        const char *stop = next ? next : end;
        while (stop > params && (stop[-1] == ' ' || stop[-1] == '\t'))
            stop--;
        if (stop - params >= 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=')
            return qvalue(params + 2, (size_t)(stop - params - 2));
        params = next ? next + 1 : end;
    }
    return 1000;
}

/* The language a range ("en-GB", "vi", "*") asks for, or -1. */
static int range_lang(const char *tag, size_t len)
{
    size_t primary = 0;
    while (primary < len && tag[primary] != '-')
        primary++;
    if (len == 1 && tag[0] == '*')
        return LANG_VI;
    for (int lang = 0; lang < LANG_COUNT; lang++)
        if (primary == 2 && strncasecmp(tag, codes[lang], 2) == 0)
            return lang;
    return -1;
}

/* The highest q wins, the first listed among equals (RFC 9110, 12.5.4). */
static page_lang accepted(const char *header)
{
    int best = LANG_VI, best_q = 0;
    const char *at = header;
    for (int n = 0; *at && n < RANGES_MAX; n++) {
        const char *end = strchr(at, ',');
        end = end ? end : at + strlen(at);
        while (at < end && (*at == ' ' || *at == '\t'))
            at++;
        const char *tag_end = at;
        while (tag_end < end && *tag_end != ';' && *tag_end != ' ' && *tag_end != '\t')
            tag_end++;
        int lang = range_lang(at, (size_t)(tag_end - at));
        int q = range_q(tag_end, end);
        if (lang >= 0 && q > best_q)
            best = lang, best_q = q;
        at = *end ? end + 1 : end;
    }
    return (page_lang)best;
}

page_lang page_lang_choose(const char *query, const char *accept_language)
{
    for (int lang = 0; query && lang < LANG_COUNT; lang++)
        if (strcmp(query, codes[lang]) == 0)
            return (page_lang)lang;
    return accept_language ? accepted(accept_language) : LANG_VI;
}

static const struct {
    const char *key, *text[LANG_COUNT];
} words[] = {
    {"w_title", {"Truy xuất nguồn gốc OCOP", "OCOP traceability"}},
    {"w_header", {"Truy xuất nguồn gốc sản phẩm OCOP", "OCOP product traceability"}},
    {"w_switch", {"English", "Tiếng Việt"}},
    {"w_switch_lang", {"en", "vi"}},
    {"w_photos", {"Ảnh sản phẩm", "Product photos"}},
    {"w_story", {"Câu chuyện sản phẩm", "The product's story"}},
    {"w_buy", {"Mua ở đâu", "Where to buy"}},
    {"w_pin_label", {"Xác thực mã PIN", "PIN check"}},
    {"w_pin_title",
     {"Xác thực bằng mã PIN trên tem cào", "Check the PIN under the scratch-off stamp"}},
    {"w_pin_hint",
     {"Cào lớp phủ trên tem và nhập 8 chữ số mã PIN",
      "Scratch the stamp and type its 8-digit PIN"}},
    {"w_pin_button", {"Xác thực", "Check"}},
    {"w_ocop", {"Chứng nhận OCOP", "OCOP certification"}},
    {"w_details", {"Thông tin sản phẩm", "About the product"}},
    {"w_producer", {"Nhà sản xuất", "Producer"}},
    {"w_address", {"Địa chỉ", "Address"}},
    {"w_lot", {"Số lô", "Lot"}},
    {"w_serial", {"Số seri", "Serial number"}},
    {"w_produced", {"Ngày sản xuất (NSX)", "Produced"}},
    {"w_expires", {"Hạn sử dụng (HSD)", "Use by"}},
    {"w_recall_title",
     {"Sản phẩm đang bị thu hồi — không sử dụng",
      "This product is being recalled — do not use it"}},
    {"w_recall_reason", {"Lý do", "Why"}},
    {"w_recall_action", {"Cần làm", "What to do"}},
    {"w_recall_since", {"Thu hồi từ", "Recalled since"}},
    {"w_journey", {"Hành trình sản phẩm", "The product's journey"}},
    {"w_footer",
     {"Thông tin do chủ thể sản xuất đăng ký và cơ quan quản lý OCOP công nhận.",
      "The producer registered this information; the OCOP authorities recognised it."}},
};
#define WORDS (sizeof(words) / sizeof(words[0]))

int page_word_index(const char *key, size_t len)
{
    for (size_t i = 0; i < WORDS; i++)
        if (strlen(words[i].key) == len && strncmp(words[i].key, key, len) == 0)
            return (int)i;
    return -1;
}

const char *page_word(size_t index, page_lang lang)
{
    return index < WORDS ? words[index].text[lang] : "";
}

const char *page_lang_verdict(page_lang lang, const char *verdict, const char *vi)
{
    static const char *const english[][2] = {
        {"genuine", "Valid code: the product is registered."},
        {"unknown", "Warning: this code is not in the system and was never issued. The product "
                    "may be counterfeit."},
        {"suspicious", "Warning: this code has been checked in many different places in a short "
                       "time. The label may be a copy."},
    };
    for (size_t i = 0; lang == LANG_EN && i < sizeof(english) / sizeof(english[0]); i++)
        if (strcmp(verdict, english[i][0]) == 0)
            return english[i][1];
    return vi;
}

const char *page_lang_journey(page_lang lang, const char *step)
{
    static const char *const names[][3] = {
        {"area", "Vùng nguyên liệu", "Growing area"},
        {"harvested", "Thu hoạch", "Harvest"},
        {"harvesting", "Thu hoạch", "Harvest"},
        {"receiving", "Tiếp nhận nguyên liệu", "Raw materials received"},
        {"processing", "Chế biến", "Processing"},
        {"packing", "Đóng gói", "Packing"},
        {"inspecting", "Kiểm tra chất lượng", "Quality inspection"},
        {"storing", "Lưu kho", "Storage"},
        {"shipped", "Xuất hàng", "Shipped"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(step, names[i][0]) == 0)
            return names[i][lang == LANG_EN ? 2 : 1];
    return lang == LANG_EN ? "Other step" : "Công đoạn khác";
}

const char *page_lang_status(page_lang lang, const char *status, const char *vi)
{
    static const char *const english[][2] = {{"valid", "in force"},
                                             {"expiring", "expiring soon"},
                                             {"expired", "expired"},
                                             {"revoked", "revoked"}};
    if (lang != LANG_EN)
        return vi;
    for (size_t i = 0; i < sizeof(english) / sizeof(english[0]); i++)
        if (strcmp(status, english[i][0]) == 0)
            return english[i][1];
    return "not recognised";
}

void page_lang_checked(long long scans, const char *first, char *out, size_t size)
{
    out[0] = '\0';
    if (scans < 1 || !first || strlen(first) < 16)
        return;
    if (scans == 1)
        snprintf(out, size, "This is the first time this code has been checked.");
    else
        snprintf(out, size,
                 "This code has been checked %lld times, first at %.5s on %.2s/%.2s/%.4s.", scans,
                 first + 11, first + 8, first + 5, first);
}

/* ---------- the scratch-off PIN's answers (pin.c) ---------- */

static const struct {
    const char *key, *text[LANG_COUNT];
} pin_words[] = {
    {"first",
     {"Chính hãng: đây là lần xác thực đầu tiên của mã PIN này.",
      "Genuine: this is the first verification of this PIN."}},
    {"empty",
     {"Hãy nhập mã PIN gồm 8 chữ số in dưới lớp cào.",
      "Type the 8-digit PIN printed under the scratch-off layer."}},
    {"network", {"từ mạng của bạn", "from your network"}},
    {"unit", {"cho sản phẩm này", "for this product"}},
    {"seconds", {"giây", "seconds"}},
    {"minute", {"phút", "minute"}},
    {"minutes", {"phút", "minutes"}},
};
#define PIN_WORDS (sizeof(pin_words) / sizeof(pin_words[0]))

static const char *pin_word(const char *key, page_lang lang)
{
    for (size_t i = 0; i < PIN_WORDS; i++)
        if (strcmp(pin_words[i].key, key) == 0)
            return pin_words[i].text[lang];
    return "";
}

void page_lang_pin_first(page_lang lang, char *out, size_t size)
{
    snprintf(out, size, "%s", pin_word("first", lang));
}

void page_lang_pin_again(page_lang lang, const char *at, const char *date, char *out, size_t size)
{
    snprintf(out, size,
             lang == LANG_EN
                 ? "This PIN was already verified at %s on %s (Vietnam time, +07:00): if that was "
                   "not you, the product may be counterfeit."
                 : "Mã PIN này đã được xác thực lúc %s ngày %s (giờ Việt Nam, +07:00): nếu không "
                   "phải bạn, sản phẩm có thể là hàng giả.",
             at, date);
}

void page_lang_pin_wrong(page_lang lang, int left, char *out, size_t size)
{
    snprintf(out, size,
             lang == LANG_EN ? "Wrong PIN: check the digits under the scratch-off layer. %d more "
                               "tries this hour."
                             : "Mã PIN không đúng: hãy xem lại các chữ số dưới lớp cào. Còn %d lần "
                               "nhập trong giờ này.",
             left);
}

void page_lang_wait(page_lang lang, long seconds, char out[32])
{
    long minutes = (seconds + 59) / 60;
    if (seconds < 60)
        snprintf(out, 32, "%ld %s", seconds, pin_word("seconds", lang));
    else
        snprintf(out, 32, "%ld %s", minutes, pin_word(minutes == 1 ? "minute" : "minutes", lang));
}

void page_lang_pin_limited(page_lang lang, int by_network, long seconds, char *out, size_t size)
{
    char wait[32];
    page_lang_wait(lang, seconds, wait);
    snprintf(out, size,
             lang == LANG_EN ? "Too many wrong PINs %s. Please try again in %s."
                             : "Đã nhập sai mã PIN quá nhiều lần %s. Vui lòng thử lại sau %s.",
             pin_word(by_network ? "network" : "unit", lang), wait);
}

void page_lang_pin_invalid(page_lang lang, int digits, char *out, size_t size)
{
    if (digits == PAGE_PIN_EMPTY)
        snprintf(out, size, "%s", pin_word("empty", lang));
    else if (digits == PAGE_PIN_NOT_DIGIT)
        snprintf(out, size,
                 lang == LANG_EN ? "A PIN is %d digits (0–9) under the scratch-off layer; you "
                                   "typed a character that is not a digit."
                                 : "Mã PIN gồm %d chữ số (0–9) in dưới lớp cào; bạn đã nhập ký "
                                   "tự không phải chữ số.",
                 PAGE_PIN_DIGITS);
    else
        snprintf(out, size,
                 lang == LANG_EN
                     ? "A PIN is %d digits (0–9) under the scratch-off layer; you typed %d."
                     : "Mã PIN gồm %d chữ số (0–9) in dưới lớp cào; bạn đã nhập %d chữ số.",
                 PAGE_PIN_DIGITS, digits);
}
