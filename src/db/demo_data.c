/* demo_data.c - the synthetic TCS data set (see demo_data.h).
 *
 * Shapes follow production TIS roughly: ~1.75 placements and ~1.4 programme
 * memberships per person, a post per three persons, employing and training
 * bodies usually equal and sometimes NULL, owners and dates sometimes NULL,
 * names with non-ASCII UTF-8, apostrophes, quotes and a backslash. The
 * generator is a splitmix64 stream, so a seed always gives the same rows.
 *
 * The 2026 shape (SPEC-2026 1) adds what the newer jobs read: memberships
 * keyed by uuid with zero to three curricula each, owner names without the
 * "Health Education England " prefix TCS dropped in 2024, and per post its
 * funding status, fundings (past, current, open-ended, undated), grades,
 * sites and specialties (now and then two "primary" ones) and programmes. */
#include "demo_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH_ROWS = 1000, SPECIALTIES = 60, PROGRAMMES = 240, GRADES = 20, SITES = 400, CURRICULA = 300 };

/* Local offices; the 2019 data carries the old prefix. */
static const char *const regions[] = {
    "North West London", "Yorkshire and the Humber", "Wessex", "North Central and East London", "South London",
    "East of England", "Kent, Surrey and Sussex", "Thames Valley", "West Midlands", "East Midlands", "North East",
    "North West", "South West"};
static const char *const funding_types[] = {"Tariff", "Trust funded", "HEE Funded - Non Tariff", "Academic - HEE",
                                            "Military", "Lead Employer", "Supernumerary"};
static const char *const funding_statuses[] = {"CURRENT", "CURRENT", "CURRENT", "INACTIVE", "INACTIVE", "DELETE"};
static const char *const surnames[] = {
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "O'Brien", "D'Souza", "Müller", "Ó Súilleabháin", "Nguyễn", "Kowalczyk", "Østergaard", "Brontë",
    "Patel", "Khan", "Singh", "Ahmed", "García", "Łukasiewicz", "Ng", "Van der Berg", "MacDonald",
    "Fitz-Gerald", "Zhang", "Çelik"};
static const char *const forenames[] = {
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Sophia", "Siân", "Zoë",
    "Seán", "Aoife", "Renée", "José", "Anne \"Annie\"", "Dafydd", "Niamh", "Björn", "Chloé", "Mohammed",
    "Priya", "Wei", "Back\\slash", "Ngozi", "Łucja", "Ífeoma", "Ellie-Mae", "Tomás"};
static const char *const grades[GRADES] = {
    "F1", "F2", "CT1", "CT2", "CT3", "ST1", "ST2", "ST3", "ST4", "ST5", "ST6", "ST7", "ST8",
    "LAT", "LAS", "GPST1", "GPST2", "GPST3", "DCT1", "SpR"};
static const char *const placement_types[] = {"In Post", "In post - Acting Up", "Parental Leave", "Long-term sick",
                                              "OOPT", "OOPE"};
static const char *const roles[] = {"DR in Training", "Dental Trainee", "Foundation Trainee", "Public Health"};

typedef struct {
    unsigned long long state;
} rng;

static unsigned long long next_u64(rng *r)
{
    unsigned long long z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static long long below(rng *r, long long n)
{
    return (long long)(next_u64(r) % (unsigned long long)n);
}

static bool chance(rng *r, int per_thousand)
{
    return below(r, 1000) < per_thousand;
}

#define PICK(r, arr) (arr[below(r, (long long)(sizeof arr / sizeof arr[0]))])

/* Days since 1970-01-01 to YYYY-MM-DD (civil-from-days, Howard Hinnant). */
static void format_day(long long days, char out[11])
{
    days += 719468;
    long long era = (days >= 0 ? days : days - 146096) / 146097;
    long long doe = days - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    char buf[48];
    snprintf(buf, sizeof buf, "%04lld-%02d-%02d", y + (m <= 2), (int)m, (int)d);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

enum { DAY_2015_01_01 = 16436, DAY_SPAN = 14 * 365 };

/* A batch of rows for one multi-row INSERT; text values are copied. */
typedef struct {
    db *conn;
    const char *table, *columns;
    int ncols, nrows;
    db_param params[BATCH_ROWS * 10];
    char *texts[BATCH_ROWS * 10];
    int ntexts;
    strbuf sql;
    strbuf *err;
    int failed;
} batch;

static void batch_init(batch *b, db *conn, const char *table, const char *columns, int ncols, strbuf *err)
{
    memset(b, 0, sizeof *b);
    b->conn = conn;
    b->table = table;
    b->columns = columns;
    b->ncols = ncols;
    b->err = err;
    sb_init(&b->sql);
}

static void batch_flush(batch *b)
{
    if (b->nrows == 0 || b->failed) {
        b->nrows = 0;
        return;
    }
    sb_reset(&b->sql);
    sb_printf(&b->sql, "INSERT INTO %s (%s) VALUES ", b->table, b->columns);
    for (int r = 0; r < b->nrows; r++) {
        sb_puts(&b->sql, r ? ",(" : "(");
        for (int c = 0; c < b->ncols; c++)
            sb_puts(&b->sql, c ? ",?" : "?");
        sb_putc(&b->sql, ')');
    }
    if (db_exec(b->conn, b->sql.data, b->params, (size_t)(b->nrows * b->ncols)) != 0) {
        sb_printf(b->err, "inserting into %s failed: %s", b->table, db_error(b->conn));
        b->failed = 1;
    }
    for (int i = 0; i < b->ntexts; i++)
        free(b->texts[i]);
    b->ntexts = 0;
    b->nrows = 0;
}

/* Adds one row: VALUES are db_params; text is copied. */
static void batch_row(batch *b, const db_param *values)
{
    db_param *row = b->params + b->nrows * b->ncols;
    for (int c = 0; c < b->ncols; c++) {
        row[c] = values[c];
        if (values[c].type == DBV_TEXT) {
            b->texts[b->ntexts] = xstrdup(values[c].s);
            row[c].s = b->texts[b->ntexts++];
        }
    }
    if (++b->nrows == BATCH_ROWS)
        batch_flush(b);
}

static int batch_finish(batch *b)
{
    batch_flush(b);
    sb_free(&b->sql);
    return b->failed ? -1 : 0;
}

static db_param maybe_text(rng *r, int null_per_thousand, const char *value)
{
    return chance(r, null_per_thousand) ? DBP_NULL : DBP_TEXT(value);
}

static db_param maybe_int(rng *r, int null_per_thousand, long long value)
{
    return chance(r, null_per_thousand) ? DBP_NULL : DBP_INT(value);
}

/* An owner (local office name) as the shape's data spells it. */
static const char *pick_owner(rng *r, tcs_shape shape, char buf[96])
{
    const char *region = PICK(r, regions);
    snprintf(buf, 96, "%s%s", shape == TCS_SHAPE_2019 ? "Health Education England " : "", region);
    return buf;
}

/* A version-4 UUID in lower-case hex, from the generator. */
static void make_uuid(rng *r, char out[37])
{
    unsigned long long hi = next_u64(r), lo = next_u64(r);
    hi = (hi & ~0xF000ULL) | 0x4000ULL;
    lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);
    snprintf(out, 37, "%08llx-%04llx-%04llx-%04llx-%012llx", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48,
             lo & 0xFFFFFFFFFFFFULL);
}

/* The per-post rows of the 2026 shape, and the counters of their ids. */
typedef struct {
    batch funding, grade, site, specialty, programme;
    long long funding_id, grade_id, site_id, specialty_id;
} post_writers;

static void post_writers_init(post_writers *w, db *conn, strbuf *err)
{
    batch_init(&w->funding, conn, "PostFunding", "id, postId, fundingType, startDate, endDate", 5, err);
    batch_init(&w->grade, conn, "PostGrade", "id, postId, gradeId, postGradeType", 4, err);
    batch_init(&w->site, conn, "PostSite", "id, postId, siteId, postSiteType", 4, err);
    batch_init(&w->specialty, conn, "PostSpecialty", "id, postId, specialtyId, postSpecialtyType", 4, err);
    batch_init(&w->programme, conn, "ProgrammePost", "programmeId, postId", 2, err);
}

static int post_writers_finish(post_writers *w)
{
    int rc = batch_finish(&w->funding);
    rc |= batch_finish(&w->grade);
    rc |= batch_finish(&w->site);
    rc |= batch_finish(&w->specialty);
    rc |= batch_finish(&w->programme);
    return rc;
}

/* Fundings of every kind: ended, current, open-ended, with no start. */
static void write_fundings(post_writers *w, rng *r, long long post)
{
    long long n = below(r, 100) < 8 ? 0 : 1 + below(r, 3);
    for (long long i = 0; i < n; i++) {
        char from[11], to[11];
        long long start = DAY_2015_01_01 + below(r, DAY_SPAN);
        format_day(start, from);
        format_day(start + 180 + below(r, 1100), to);
        long long kind = below(r, 100);
        db_param pfrom = kind < 3 ? DBP_NULL : DBP_TEXT(from);
        db_param pto = kind >= 3 && kind < 25 ? DBP_NULL : DBP_TEXT(to);
        batch_row(&w->funding, (db_param[]){DBP_INT(++w->funding_id), DBP_INT(post),
                                            maybe_text(r, 30, PICK(r, funding_types)), pfrom, pto});
    }
}

/* A post's rows of one kind: usually one of type PRIMARY, now and then
 * none or two, and sometimes one of type OTHER. */
static void write_typed(batch *b, long long *id, rng *r, long long post, long long range, const char *primary,
                        const char *other, int null_ref_per_thousand)
{
    int primaries = chance(r, 40) ? 0 : chance(r, 30) ? 2 : 1;
    for (int i = 0; i < primaries; i++)
        batch_row(b, (db_param[]){DBP_INT(++*id), DBP_INT(post),
                                  maybe_int(r, null_ref_per_thousand, 1 + below(r, range)), DBP_TEXT(primary)});
    if (chance(r, 250))
        batch_row(b, (db_param[]){DBP_INT(++*id), DBP_INT(post), DBP_INT(1 + below(r, range)), DBP_TEXT(other)});
}

static void write_post_details(post_writers *w, rng *r, long long post)
{
    write_fundings(w, r, post);
    write_typed(&w->grade, &w->grade_id, r, post, GRADES, "APPROVED", "OTHER", 0);
    write_typed(&w->site, &w->site_id, r, post, SITES, "PRIMARY", "OTHER", 0);
    write_typed(&w->specialty, &w->specialty_id, r, post, SPECIALTIES, "PRIMARY",
                chance(r, 500) ? "OTHER" : "SUB_SPECIALTY", 10);
    long long programmes = below(r, 100) < 10 ? 0 : 1 + (chance(r, 250) ? 1 : 0);
    long long first = 1 + below(r, PROGRAMMES);
    for (long long i = 0; i < programmes; i++)
        batch_row(&w->programme, (db_param[]){DBP_INT((first + i * 7 - 1) % PROGRAMMES + 1), DBP_INT(post)});
}

static int write_specialties_and_programmes(db *conn, rng *r, tcs_shape shape, strbuf *err)
{
    batch b;
    char name[64], number[32], owner[96];
    bool is2026 = shape == TCS_SHAPE_2026;
    batch_init(&b, conn, "Specialty", is2026 ? "id, name, specialtyCode" : "id, name", is2026 ? 3 : 2, err);
    for (int i = 1; i <= SPECIALTIES; i++) {
        snprintf(name, sizeof name, "Specialty %02d%s", i, i % 7 == 0 ? " (Paediatric & Neonatal)" : "");
        snprintf(number, sizeof number, "SP%03d", i);
        batch_row(&b, (db_param[]){DBP_INT(i), DBP_TEXT(name), i % 13 == 0 ? DBP_NULL : DBP_TEXT(number)});
    }
    if (batch_finish(&b))
        return -1;
    batch_init(&b, conn, "Programme", "id, programmeName, programmeNumber, owner", 4, err);
    for (int i = 1; i <= PROGRAMMES; i++) {
        snprintf(name, sizeof name, "Programme %d – Core Training%s", i, i % 11 == 0 ? "; Academic" : "");
        snprintf(number, sizeof number, "PRG%05d", i);
        batch_row(&b, (db_param[]){DBP_INT(i), DBP_TEXT(name), DBP_TEXT(number),
                                   maybe_text(r, 50, pick_owner(r, shape, owner))});
    }
    return batch_finish(&b);
}

/* The funding status of a 2026 post, an empty or unknown one now and then. */
static db_param funding_status(rng *r)
{
    long long roll = below(r, 1000);
    return roll < 10 ? DBP_TEXT("") : roll < 15 ? DBP_TEXT("FROZEN") : DBP_TEXT(PICK(r, funding_statuses));
}

static int write_posts(db *conn, rng *r, long long posts, tcs_shape shape, strbuf *err)
{
    bool is2026 = shape == TCS_SHAPE_2026;
    batch b;
    batch_init(&b, conn, "Post",
               is2026 ? "id, nationalPostNumber, employingBodyId, trainingBodyId, owner, fundingStatus"
                      : "id, nationalPostNumber, employingBodyId, trainingBodyId, owner",
               is2026 ? 6 : 5, err);
    post_writers *w = is2026 ? xcalloc(1, sizeof *w) : NULL;
    if (w)
        post_writers_init(w, conn, err);
    for (long long i = 1; i <= posts && !err->len; i++) {
        char number[32], owner[96];
        long long employing = 1000 + below(r, 300), training = employing;
        long long kind = below(r, 100);
        if (kind < 20)
            training = 1000 + below(r, 300);
        snprintf(number, sizeof number, "NPN/%06lld/F1", i);
        batch_row(&b, (db_param[]){DBP_INT(i), DBP_TEXT(number), kind >= 98 ? DBP_NULL : DBP_INT(employing),
                                   kind >= 90 && kind < 98 ? DBP_NULL : DBP_INT(training),
                                   maybe_text(r, 30, pick_owner(r, shape, owner)), funding_status(r)});
        if (w)
            write_post_details(w, r, i);
    }
    int rc = batch_finish(&b);
    if (w) {
        rc |= post_writers_finish(w);
        free(w);
    }
    return rc;
}

typedef struct {
    batch person, contact, gmc, gdc, placement, specialty, membership, training_number, curriculum;
    long long placement_id, membership_id, curriculum_id;
    long long posts;
    tcs_shape shape;
} writers;

static void write_person(writers *w, rng *r, long long id)
{
    char intrepid[32], number[32], phn[32];
    snprintf(intrepid, sizeof intrepid, "INT%08lld", id);
    snprintf(phn, sizeof phn, "PHN%07lld", id);
    long long s = below(r, 1000);
    db_param status = s < 800 ? DBP_TEXT("CURRENT") : s < 950 ? DBP_TEXT("INACTIVE") : s < 975 ? DBP_TEXT("DELETE")
                      : s < 990 ? DBP_TEXT("") : s < 999 ? DBP_NULL : DBP_TEXT("ARCHIVED");
    batch_row(&w->person, (db_param[]){DBP_INT(id), maybe_text(r, 100, intrepid), maybe_text(r, 50, PICK(r, roles)),
                                       status, maybe_text(r, 900, phn)});
    if (!chance(r, 30))
        batch_row(&w->contact, (db_param[]){DBP_INT(id), maybe_text(r, 5, PICK(r, surnames)),
                                            maybe_text(r, 10, PICK(r, forenames))});
    if (chance(r, 650)) {
        snprintf(number, sizeof number, "%07lld", 1000000 + id);
        batch_row(&w->gmc, (db_param[]){DBP_INT(id), DBP_TEXT(number)});
    }
    if (chance(r, 50)) {
        snprintf(number, sizeof number, "D%06lld", id);
        batch_row(&w->gdc, (db_param[]){DBP_INT(id), DBP_TEXT(number)});
    }
}

static void date_pair(rng *r, char from[11], char to[11], db_param *pfrom, db_param *pto)
{
    long long start = DAY_2015_01_01 + below(r, DAY_SPAN);
    format_day(start, from);
    format_day(start + 90 + below(r, 640), to);
    *pfrom = chance(r, 5) ? DBP_NULL : DBP_TEXT(from);
    *pto = chance(r, 10) ? DBP_NULL : DBP_TEXT(to);
}

static void write_placements(writers *w, rng *r, long long person)
{
    long long n = below(r, 100) < 10 ? 0 : 1 + below(r, 3) + (chance(r, 50) ? below(r, 4) : 0);
    for (long long i = 0; i < n; i++) {
        long long id = ++w->placement_id, grade = below(r, GRADES), site = 1 + below(r, SITES);
        char from[11], to[11], code[16];
        db_param pfrom, pto;
        date_pair(r, from, to, &pfrom, &pto);
        snprintf(code, sizeof code, "S%04lld", site);
        batch_row(&w->placement,
                  (db_param[]){DBP_INT(id), DBP_INT(person), DBP_INT(1 + below(r, w->posts)), pfrom, pto,
                               chance(r, 20) ? DBP_NULL : DBP_INT(grade + 1), maybe_text(r, 20, grades[grade]),
                               chance(r, 20) ? DBP_NULL : DBP_INT(site), maybe_text(r, 20, code),
                               maybe_text(r, 30, PICK(r, placement_types))});
        long long primary = 1 + below(r, SPECIALTIES);
        if (chance(r, 850))
            batch_row(&w->specialty, (db_param[]){DBP_INT(id), DBP_INT(primary), DBP_TEXT("PRIMARY")});
        if (chance(r, 200))
            batch_row(&w->specialty, (db_param[]){DBP_INT(id), DBP_INT(primary % SPECIALTIES + 1),
                                                  DBP_TEXT(chance(r, 800) ? "OTHER" : "SUB_SPECIALTY")});
    }
}

/* The 2026 curricula of one membership: none, one, or several. */
static void write_curricula(writers *w, rng *r, const char *uuid)
{
    long long n = below(r, 100);
    n = n < 15 ? 0 : n < 70 ? 1 : n < 90 ? 2 : 3;
    for (long long i = 0; i < n; i++) {
        char from[11], to[11];
        db_param pfrom, pto;
        date_pair(r, from, to, &pfrom, &pto);
        batch_row(&w->curriculum, (db_param[]){DBP_INT(++w->curriculum_id), DBP_TEXT(uuid),
                                               DBP_INT(1 + below(r, CURRICULA)), pfrom, pto});
    }
}

static void write_memberships(writers *w, rng *r, long long person)
{
    long long n = below(r, 100) < 15 ? 0 : 1 + below(r, 2) + (chance(r, 150) ? 1 : 0);
    for (long long i = 0; i < n; i++) {
        long long id = ++w->membership_id, programme = 1 + below(r, PROGRAMMES);
        char from[11], to[11], number[32], uuid[37];
        db_param pfrom, pto, tn = DBP_NULL;
        date_pair(r, from, to, &pfrom, &pto);
        if (w->shape == TCS_SHAPE_2026) {
            make_uuid(r, uuid);
            batch_row(&w->membership, (db_param[]){DBP_TEXT(uuid), DBP_INT(person), DBP_INT(programme), pfrom, pto});
            write_curricula(w, r, uuid);
            continue;
        }
        if (chance(r, 700)) {
            snprintf(number, sizeof number, "NWE/%03lld/%06lld/C", 1 + below(r, 400), id);
            batch_row(&w->training_number, (db_param[]){DBP_INT(id), DBP_TEXT(number)});
            tn = DBP_INT(id);
        }
        batch_row(&w->membership, (db_param[]){DBP_INT(id), DBP_INT(person), DBP_INT(programme), tn, pfrom, pto});
    }
}

static int finish_all(writers *w)
{
    batch *all[] = {&w->person,     &w->contact,         &w->gmc,       &w->gdc,       &w->placement,
                    &w->specialty, &w->training_number, &w->membership, &w->curriculum};
    int rc = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        rc |= batch_finish(all[i]);
    return rc;
}

static int write_people(db *conn, rng *r, long long persons, long long posts, tcs_shape shape, strbuf *err)
{
    writers *w = xcalloc(1, sizeof *w);
    w->posts = posts;
    w->shape = shape;
    batch_init(&w->person, conn, "Person", "id, intrepidId, role, status, publicHealthNumber", 5, err);
    batch_init(&w->contact, conn, "ContactDetails", "id, surname, forenames", 3, err);
    batch_init(&w->gmc, conn, "GmcDetails", "id, gmcNumber", 2, err);
    batch_init(&w->gdc, conn, "GdcDetails", "id, gdcNumber", 2, err);
    batch_init(&w->placement, conn, "Placement",
               "id, traineeId, postId, dateFrom, dateTo, gradeId, gradeAbbreviation, siteId, siteCode, placementType",
               10, err);
    batch_init(&w->specialty, conn, "PlacementSpecialty", "placementId, specialtyId, placementSpecialtyType", 3, err);
    if (shape == TCS_SHAPE_2026)
        batch_init(&w->membership, conn, "ProgrammeMembership",
                   "uuid, personId, programmeId, programmeStartDate, programmeEndDate", 5, err);
    else
        batch_init(&w->membership, conn, "ProgrammeMembership",
                   "id, personId, programmeId, trainingNumberId, programmeStartDate, programmeEndDate", 6, err);
    batch_init(&w->training_number, conn, "TrainingNumber", "id, trainingNumber", 2, err);
    batch_init(&w->curriculum, conn, "CurriculumMembership",
               "id, programmeMembershipUuid, curriculumId, curriculumStartDate, curriculumEndDate", 5, err);
    for (long long id = 1; id <= persons && !err->len; id++) {
        write_person(w, r, id);
        write_placements(w, r, id);
        write_memberships(w, r, id);
    }
    int rc = finish_all(w);
    free(w);
    return rc;
}

/* Emptied before a new data set. */
static const char *const source_tables[] = {"PlacementSpecialty", "Placement", "ProgrammeMembership", "TrainingNumber",
                                            "Programme", "Specialty", "Post", "GdcDetails", "GmcDetails",
                                            "ContactDetails", "Person"};
static const char *const source_tables_2026[] = {"CurriculumMembership", "PostFunding", "PostGrade", "PostSite",
                                                 "PostSpecialty", "ProgrammePost"};

static int empty_table(db *conn, const char *table, strbuf *err)
{
    char *sql = xasprintf("DELETE FROM %s", table);
    int rc = db_exec(conn, sql, NULL, 0);
    free(sql);
    if (rc != 0)
        sb_printf(err, "emptying %s failed: %s", table, db_error(conn));
    return rc;
}

static int empty_tables(db *conn, tcs_shape shape, strbuf *err)
{
    for (size_t i = 0; shape == TCS_SHAPE_2026 && i < sizeof source_tables_2026 / sizeof *source_tables_2026; i++)
        if (empty_table(conn, source_tables_2026[i], err) != 0)
            return -1;
    for (size_t i = 0; i < sizeof source_tables / sizeof *source_tables; i++)
        if (empty_table(conn, source_tables[i], err) != 0)
            return -1;
    return 0;
}

int demo_data_generate(db *conn, const demo_options *opts, strbuf *err)
{
    rng r = {opts->seed};
    if (db_begin(conn) != 0) {
        sb_printf(err, "begin failed: %s", db_error(conn));
        return -1;
    }
    long long posts = opts->persons / 3 + 1;
    if (empty_tables(conn, opts->shape, err) != 0 || write_specialties_and_programmes(conn, &r, opts->shape, err) ||
        write_posts(conn, &r, posts, opts->shape, err) != 0 ||
        write_people(conn, &r, opts->persons, posts, opts->shape, err) != 0) {
        db_rollback(conn);
        return -1;
    }
    if (db_commit(conn) != 0) {
        sb_printf(err, "commit failed: %s", db_error(conn));
        return -1;
    }
    return 0;
}
