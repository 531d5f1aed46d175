/* demo_data.c - the synthetic TCS data set (see demo_data.h).
 *
 * Shapes follow production TIS roughly: ~1.75 placements and ~1.4 programme
 * memberships per person, a post per three persons, employing and training
 * bodies usually equal and sometimes NULL, owners and dates sometimes NULL,
 * names with non-ASCII UTF-8, apostrophes, quotes and a backslash. The
 * generator is a splitmix64 stream, so a seed always gives the same rows. */
#include "demo_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH_ROWS = 1000, SPECIALTIES = 60, PROGRAMMES = 240, GRADES = 20, SITES = 400 };

static const char *const owners[] = {
    "Health Education England North West London", "Health Education England Yorkshire and the Humber",
    "Health Education England Wessex", "Health Education England North Central and East London",
    "Health Education England South London", "Health Education England East of England",
    "Health Education England Kent, Surrey and Sussex", "Health Education England Thames Valley",
    "Health Education England West Midlands", "Health Education England East Midlands",
    "Health Education England North East", "Health Education England North West",
    "Health Education England South West"};
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
    snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", y + (m <= 2), m, d);
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

static int write_reference_data(db *conn, rng *r, long long posts, strbuf *err)
{
    batch b;
    char name[64], number[32];
    batch_init(&b, conn, "Specialty", "id, name", 2, err);
    for (int i = 1; i <= SPECIALTIES; i++) {
        snprintf(name, sizeof name, "Specialty %02d%s", i, i % 7 == 0 ? " (Paediatric & Neonatal)" : "");
        batch_row(&b, (db_param[]){DBP_INT(i), DBP_TEXT(name)});
    }
    if (batch_finish(&b))
        return -1;
    batch_init(&b, conn, "Programme", "id, programmeName, programmeNumber, owner", 4, err);
    for (int i = 1; i <= PROGRAMMES; i++) {
        snprintf(name, sizeof name, "Programme %d – Core Training", i);
        snprintf(number, sizeof number, "PRG%05d", i);
        batch_row(&b, (db_param[]){DBP_INT(i), DBP_TEXT(name), DBP_TEXT(number), maybe_text(r, 50, PICK(r, owners))});
    }
    if (batch_finish(&b))
        return -1;
    batch_init(&b, conn, "Post", "id, nationalPostNumber, employingBodyId, trainingBodyId, owner", 5, err);
    for (long long i = 1; i <= posts; i++) {
        long long employing = 1000 + below(r, 300), training = employing;
        long long kind = below(r, 100);
        if (kind < 20)
            training = 1000 + below(r, 300);
        snprintf(number, sizeof number, "NPN/%06lld/F1", i);
        batch_row(&b, (db_param[]){DBP_INT(i), DBP_TEXT(number), kind >= 98 ? DBP_NULL : DBP_INT(employing),
                                   kind >= 90 && kind < 98 ? DBP_NULL : DBP_INT(training),
                                   maybe_text(r, 30, PICK(r, owners))});
    }
    return batch_finish(&b);
}

typedef struct {
    batch person, contact, gmc, gdc, placement, specialty, membership, training_number;
    long long placement_id, membership_id;
    long long posts;
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

static void write_memberships(writers *w, rng *r, long long person)
{
    long long n = below(r, 100) < 15 ? 0 : 1 + below(r, 2) + (chance(r, 150) ? 1 : 0);
    for (long long i = 0; i < n; i++) {
        long long id = ++w->membership_id;
        char from[11], to[11], number[32];
        db_param pfrom, pto, tn = DBP_NULL;
        date_pair(r, from, to, &pfrom, &pto);
        if (chance(r, 700)) {
            snprintf(number, sizeof number, "NWE/%03lld/%06lld/C", 1 + below(r, 400), id);
            batch_row(&w->training_number, (db_param[]){DBP_INT(id), DBP_TEXT(number)});
            tn = DBP_INT(id);
        }
        batch_row(&w->membership,
                  (db_param[]){DBP_INT(id), DBP_INT(person), DBP_INT(1 + below(r, PROGRAMMES)), tn, pfrom, pto});
    }
}

static int finish_all(writers *w)
{
    batch *all[] = {&w->person, &w->contact, &w->gmc, &w->gdc, &w->placement, &w->specialty, &w->membership,
                    &w->training_number};
    int rc = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        rc |= batch_finish(all[i]);
    return rc;
}

static int write_people(db *conn, rng *r, long long persons, long long posts, strbuf *err)
{
    writers *w = xcalloc(1, sizeof *w);
    w->posts = posts;
    batch_init(&w->person, conn, "Person", "id, intrepidId, role, status, publicHealthNumber", 5, err);
    batch_init(&w->contact, conn, "ContactDetails", "id, surname, forenames", 3, err);
    batch_init(&w->gmc, conn, "GmcDetails", "id, gmcNumber", 2, err);
    batch_init(&w->gdc, conn, "GdcDetails", "id, gdcNumber", 2, err);
    batch_init(&w->placement, conn, "Placement",
               "id, traineeId, postId, dateFrom, dateTo, gradeId, gradeAbbreviation, siteId, siteCode, placementType",
               10, err);
    batch_init(&w->specialty, conn, "PlacementSpecialty", "placementId, specialtyId, placementSpecialtyType", 3, err);
    batch_init(&w->membership, conn, "ProgrammeMembership",
               "id, personId, programmeId, trainingNumberId, programmeStartDate, programmeEndDate", 6, err);
    batch_init(&w->training_number, conn, "TrainingNumber", "id, trainingNumber", 2, err);
    for (long long id = 1; id <= persons && !err->len; id++) {
        write_person(w, r, id);
        write_placements(w, r, id);
        write_memberships(w, r, id);
    }
    int rc = finish_all(w);
    free(w);
    return rc;
}

static const char *const source_tables[] = {"PlacementSpecialty", "Placement", "ProgrammeMembership", "TrainingNumber",
                                            "Programme", "Specialty", "Post", "GdcDetails", "GmcDetails",
                                            "ContactDetails", "Person"};

int demo_data_generate(db *conn, const demo_options *opts, strbuf *err)
{
    rng r = {opts->seed};
    if (db_begin(conn) != 0) {
        sb_printf(err, "begin failed: %s", db_error(conn));
        return -1;
    }
    for (size_t i = 0; i < sizeof source_tables / sizeof source_tables[0]; i++) {
        char *sql = xasprintf("DELETE FROM %s", source_tables[i]);
        int rc = db_exec(conn, sql, NULL, 0);
        free(sql);
        if (rc != 0) {
            sb_printf(err, "emptying %s failed: %s", source_tables[i], db_error(conn));
            db_rollback(conn);
            return -1;
        }
    }
    long long posts = opts->persons / 3 + 1;
    if (write_reference_data(conn, &r, posts, err) != 0 || write_people(conn, &r, opts->persons, posts, err) != 0) {
        db_rollback(conn);
        return -1;
    }
    if (db_commit(conn) != 0) {
        sb_printf(err, "commit failed: %s", db_error(conn));
        return -1;
    }
    return 0;
}
