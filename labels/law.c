/*
 * What a label must carry, by product group: Decree 43/2017/NĐ-CP on goods
 * labelling as amended by Decree 111/2021/NĐ-CP. Art. 10(1) applies to every
 * label; Annex I adds content by kind of goods. Annex I has no rows named
 * after the OCOP groups: food, drinks and herbal products follow its food
 * and drink rows; handicrafts its rows for household goods (material, use,
 * care); ornamental plants and animals its rows for plants and seedlings
 * (quantity, care); tourism services carry Art. 10(1) and directions.
 * This table is the one place where those choices are made.
 */
#include "internal.h"

#include <string.h>

#define G(g)       (1u << OCL_GROUP_##g)
#define ALL_GROUPS ((1u << OCL_GROUP_COUNT) - 1)
#define ANNEX_I    "Decree 43/2017, Annex I"

static const struct {
    ocl_field field;
    unsigned groups; /* where the field is mandatory */
    const char *basis;
} law[] = {
    {OCL_FIELD_PRODUCT_NAME, ALL_GROUPS, "Decree 43/2017, Art. 10(1)(a)"},
    {OCL_FIELD_PRODUCER_NAME, ALL_GROUPS, "Decree 43/2017, Art. 10(1)(b)"},
    {OCL_FIELD_PRODUCER_ADDRESS, ALL_GROUPS, "Decree 43/2017, Art. 10(1)(b)"},
    {OCL_FIELD_ORIGIN, ALL_GROUPS, "Decree 43/2017, Art. 10(1)(c); Decree 111/2021"},
    {OCL_FIELD_NET_QUANTITY, G(FOOD) | G(DRINK) | G(HERBAL) | G(ORNAMENTAL), ANNEX_I},
    {OCL_FIELD_INGREDIENTS, G(FOOD) | G(DRINK) | G(HERBAL) | G(HANDICRAFT), ANNEX_I},
    {OCL_FIELD_USAGE, ALL_GROUPS, ANNEX_I},
    {OCL_FIELD_STORAGE, G(FOOD) | G(DRINK) | G(HERBAL) | G(HANDICRAFT), ANNEX_I},
};

/* Manufacture and expiry dates (NSX, HSD), printed per Art. 14. */
static const unsigned dates_groups = G(FOOD) | G(DRINK) | G(HERBAL);

static const char *const group_names[OCL_GROUP_COUNT] = {
    "food", "drink", "herbal", "handicraft", "ornamental", "tourism",
};

static const char *const kind_names[OCL_KIND_COUNT] = {
    "cooperative",
    "sme",
    "household",
    "other",
};

static const char *const field_paths[OCL_FIELD_COUNT] = {
    [OCL_FIELD_PRODUCT_NAME] = "product.name",
    [OCL_FIELD_PRODUCER_NAME] = "producer.name",
    [OCL_FIELD_PRODUCER_ADDRESS] = "producer.address",
    [OCL_FIELD_PRODUCER_PHONE] = "producer.phone",
    [OCL_FIELD_ORIGIN] = "product.origin",
    [OCL_FIELD_NET_QUANTITY] = "product.net_quantity",
    [OCL_FIELD_INGREDIENTS] = "product.ingredients",
    [OCL_FIELD_USAGE] = "product.usage",
    [OCL_FIELD_STORAGE] = "product.storage",
    [OCL_FIELD_WARNINGS] = "product.warnings",
    [OCL_FIELD_STANDARD] = "product.standard",
};

static int lookup(const char *const *names, int count, const char *name)
{
    for (int i = 0; name && i < count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int ocl_group_parse(const char *name)
{
    return lookup(group_names, OCL_GROUP_COUNT, name);
}

int ocl_producer_kind_parse(const char *name)
{
    return lookup(kind_names, OCL_KIND_COUNT, name);
}

const char *ocl_group_name(ocl_group group)
{
    return (unsigned)group < OCL_GROUP_COUNT ? group_names[group] : "unknown";
}

const char *ocl_field_path(ocl_field field)
{
    return (unsigned)field < OCL_FIELD_COUNT ? field_paths[field] : "unknown";
}

int ocl_law_requires(ocl_group group, ocl_field field)
{
    for (size_t i = 0; i < sizeof(law) / sizeof(law[0]); i++)
        if (law[i].field == field)
            return (law[i].groups >> group) & 1;
    return 0;
}

int ocl_law_requires_dates(ocl_group group)
{
    return (dates_groups >> group) & 1;
}

const char *ocl_law_basis(int field)
{
    if (field == OCL_FIELD_COUNT)
        return ANNEX_I "; Art. 14";
    for (size_t i = 0; i < sizeof(law) / sizeof(law[0]); i++)
        if ((int)law[i].field == field)
            return law[i].basis;
    return "";
}

static int given(const char *text)
{
    return text && *text;
}

ocl_result ocl_law_check(const ocl_label_job *job, ocl_problems *problems)
{
    size_t before = problems->count + problems->dropped;
    const char *group = ocl_group_name(job->group);
    for (size_t i = 0; i < sizeof(law) / sizeof(law[0]); i++) {
        if (((law[i].groups >> job->group) & 1) && !given(job->text[law[i].field]))
            ocl_problem_add(problems, ocl_field_path(law[i].field), "required for %s (%s)", group,
                            law[i].basis);
    }
    if (ocl_law_requires_dates(job->group)) {
        if (!job->has_produced)
            ocl_problem_add(problems, "lot.produced", "required for %s (%s)", group,
                            ocl_law_basis(OCL_FIELD_COUNT));
        if (!job->has_expires)
            ocl_problem_add(problems, "lot.expires", "required for %s (%s)", group,
                            ocl_law_basis(OCL_FIELD_COUNT));
    }
    return problems->count + problems->dropped == before ? OCL_OK : OCL_EINVAL;
}
