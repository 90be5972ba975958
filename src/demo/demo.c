/* demo.c: the synthetic inner-London borough behind `frontdoor demo`.
 *
 * How it is built, in one pass, one household at a time:
 *   - Each home is drawn from one of five kinds of building, in fixed shares
 *     of all homes (a deficit scheduler keeps every prefix of the load close
 *     to the shares, so small demos have the same mix as big ones):
 *       council estate blocks 55% (flats, some maisonette blocks; low-rise,
 *       mid-rise and towers of up to 20 storeys), housing association blocks
 *       12%, private new-build blocks 10%, street houses converted into flats
 *       10%, street houses 13%. Each kind keeps one building "open" and hands
 *       out its homes in order, so flats in a block share a name and
 *       postcode. Tenure and council tax band are drawn per home from the
 *       kind's own mix (estate homes: mostly council rent, some right-to-buy
 *       leasehold and sublets). About 3% of homes are left vacant.
 *   - A household composition is drawn (single, couple, couple with
 *     children, lone parent, sharers, older couple, three generations, adult
 *     children at home), with ages tied together (parents 18-45 years older
 *     than their children, partners of similar age), then names from a
 *     London mix of name groups, contact details, language, digital help and
 *     accessibility needs that depend on age.
 *   - Rows go in as property, household, then person + membership pairs;
 *     a few adults also get a past membership (a flat share they left).
 * Every value comes from one xoshiro256** stream seeded from `seed`, and
 * every date is relative to DEMO_AS_OF, so a load is reproducible. */
#include "demo/demo.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/entities.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define LIST(a) (a), NELEM(a)

/* FIRST_BATCH_ROWS: the first transaction is small, and the planner is
 * told of it afterwards (store_optimize). PostgreSQL plans a foreign key's
 * check and a trigger's statements once per session, for the tables as they
 * are then; a plan made while they were empty (a scan of the whole table)
 * would serve every later row, so the load grew with the square of its size
 * (30,000 people took 81 s in 50,000-row transactions, 17.5 s in 5,000-row
 * ones). */
enum { FIRST_BATCH_ROWS = 2000, BATCH_ROWS = 50000, VACANT_PM = 30, MAX_MEMBERS = 12 };

/* ---------------------------------------------------------------- PRNG */

typedef struct {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

/* xoshiro256** (Blackman and Vigna). */
static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Uniform in [0, n) (n >= 1); the multiply-shift bias is below 2^-32 * n. */
static unsigned rng_below(rng *r, unsigned n)
{
    return (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static int rng_range(rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (unsigned)(hi - lo + 1));
}

/* 1 with probability pm / 1000. */
static int chance(rng *r, int pm)
{
    return (int)rng_below(r, 1000) < pm;
}

/* Index drawn with probability w[i] / sum(w). */
static int pick_weighted(rng *r, const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    int x = (int)rng_below(r, (unsigned)total);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

#define PICK(r, arr) ((arr)[rng_below((r), (unsigned)NELEM(arr))])

/* ---------------------------------------------------------------- dates */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The day n years after day (29 February becomes 28 February). */
static long add_years(long day, int n)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    if (m == 2 && d == 29)
        d = 28;
    return days_from_civil(y + n, m, d);
}

/* Writes day as "YYYY-MM-DD" into out. */
static void date_write(long day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

static long min_l(long a, long b) { return a < b ? a : b; }
static long max_l(long a, long b) { return a > b ? a : b; }
static int clamp_i(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* ---------------------------------------------------------------- names */

/* One strand of London's population: given names by sex, family names, and
 * the languages some of its adults prefer for letters and calls. */
typedef struct {
    const char *const *male;
    int nmale;
    const char *const *female;
    int nfemale;
    const char *const *family;
    int nfamily;
    int weight_pm;      /* share of household heads, per mille */
    int other_lang_pm;  /* adults (16-59) preferring one of langs over English */
    const char *const *langs;
    int nlangs;
    int middle_pm;      /* people given a middle name */
} name_group;

static const char *const en_m[] = {"James", "John", "David", "Michael", "Robert", "Paul", "Mark", "Daniel",
                                   "Thomas", "Christopher", "Matthew", "Andrew", "Peter", "Stephen", "Richard",
                                   "William", "George", "Jack", "Harry", "Oliver", "Samuel", "Joseph", "Benjamin",
                                   "Luke", "Alan", "Kevin", "Gary", "Lee", "Craig", "Edward", "Charlie", "Ian"};
static const char *const en_f[] = {"Sarah", "Emma", "Charlotte", "Sophie", "Hannah", "Lucy", "Rebecca", "Laura",
                                   "Jessica", "Emily", "Amy", "Claire", "Helen", "Rachel", "Katherine", "Margaret",
                                   "Susan", "Patricia", "Janet", "Joan", "Jean", "Karen", "Michelle", "Lisa",
                                   "Nicola", "Victoria", "Grace", "Olivia", "Alice", "Ellie", "Doreen", "Julie"};
static const char *const en_s[] = {
    "Smith",    "Jones",    "Williams",  "Taylor",  "Brown",     "Davies",   "Evans",    "Wilson",   "Thomas",
    "Johnson",  "Roberts",  "Robinson",  "Thompson", "Wright",   "Walker",   "White",    "Edwards",  "Hughes",
    "Green",    "Hall",     "Lewis",     "Harris",  "Clarke",    "Jackson",  "Wood",     "Turner",   "Martin",
    "Cooper",   "Hill",     "Ward",      "Morris",  "Moore",     "Clark",    "King",     "Baker",    "Harrison",
    "Morgan",   "Allen",    "James",     "Scott",   "Phillips",  "Watson",   "Davis",    "Parker",   "Price",
    "Bennett",  "Young",    "Griffiths", "Mitchell", "Cook",     "Carter",   "Richardson", "Bailey", "Collins",
    "Bell",     "Shaw",     "Cox",       "Richards", "Marshall", "Simpson",  "Ellis",    "Adams",    "Wilkinson",
    "Foster",   "Webb",     "Russell",   "Mason",   "Holmes",    "Barker",   "Fletcher", "Pearce",   "Chapman"};

static const char *const ie_m[] = {"Patrick", "Sean", "Liam", "Conor", "Declan", "Ciarán", "Eoin", "Niall",
                                   "Brendan", "Kieran", "Pádraig", "Cormac", "Darragh", "Fergal", "Michael",
                                   "John", "Seamus", "Dermot"};
static const char *const ie_f[] = {"Siobhán", "Niamh", "Aoife", "Ciara", "Róisín", "Sinéad", "Orla", "Mairéad",
                                   "Bridget", "Gráinne", "Caoimhe", "Aisling", "Mary", "Eileen", "Maeve",
                                   "Deirdre", "Nuala", "Clodagh"};
static const char *const ie_s[] = {"Murphy",  "Kelly",    "O'Sullivan", "Walsh",    "O'Brien",  "Byrne",
                                   "Ryan",    "O'Connor", "O'Neill",    "Reilly",   "Doyle",    "McCarthy",
                                   "Gallagher", "Doherty", "Kennedy",   "Lynch",    "Murray",   "Quinn",
                                   "McLaughlin", "Brennan", "Fitzgerald", "Keane",  "Daly",     "Flanagan"};

static const char *const wa_m[] = {"Oluwaseun", "Chinedu", "Emeka",   "Kwame",   "Kofi",    "Adebayo", "Olumide",
                                   "Tunde",     "Chukwuemeka", "Babatunde", "Femi", "Segun", "Kwabena", "Yaw",
                                   "Ibrahim",   "Samuel",  "Emmanuel", "David",  "Joseph",  "Obinna",  "Ikechukwu",
                                   "Kayode",    "Uchenna", "Mohammed", "Kwaku",  "Godfrey"};
static const char *const wa_f[] = {"Adaeze",  "Chiamaka", "Ngozi",   "Funmilayo", "Folake",   "Abena",  "Akosua",
                                   "Ama",     "Yetunde",  "Bukola",  "Nkechi",    "Chioma",   "Blessing", "Grace",
                                   "Esther",  "Comfort",  "Abimbola", "Temitope", "Oluwakemi", "Efua",  "Adwoa",
                                   "Precious", "Mariama", "Fatmata", "Aminata",   "Adunni"};
static const char *const wa_s[] = {"Okafor",   "Adeyemi", "Okonkwo", "Mensah",  "Owusu",   "Boateng", "Asante",
                                   "Adebayo",  "Oyelaran", "Ogunleye", "Nwosu", "Eze",     "Obi",     "Afolabi",
                                   "Balogun",  "Bakare",  "Oladipo", "Ojo",     "Akinola", "Osei",    "Appiah",
                                   "Darko",    "Agyeman", "Koroma",  "Sesay",   "Kamara",  "Bangura", "Okoro",
                                   "Adeleke",  "Ogundipe", "Onyeka", "Adjei"};

static const char *const ca_m[] = {"Marcus", "Andre",   "Winston", "Delroy", "Errol",  "Leroy",   "Clive",
                                   "Desmond", "Trevor", "Lloyd",   "Carlton", "Dwayne", "Jermaine", "Tyrone",
                                   "Kareem", "Jamal",   "Everton", "Marlon", "Curtis", "Anthony", "Neville"};
static const char *const ca_f[] = {"Marcia",  "Beverley", "Janice",  "Claudette", "Hyacinth", "Sonia",   "Pauline",
                                   "Denise",  "Andrea",   "Keisha",  "Tanisha",   "Shanice",  "Monique", "Simone",
                                   "Paulette", "Yvonne",  "Jacqueline", "Chantelle", "Natalie", "Camille", "Merline"};
static const char *const ca_s[] = {"Campbell", "Brown",   "Williams", "Johnson",  "Thompson", "Clarke",   "Grant",
                                   "Francis",  "Reid",    "Lewis",    "Samuels",  "Gordon",   "Bailey",   "Morgan",
                                   "Richards", "Henry",   "Walker",   "Stewart",  "Forbes",   "Morrison", "Powell",
                                   "Spencer",  "Facey",   "McKenzie", "Bryan",    "Edwards",  "Lindo",    "Mullings",
                                   "Stephenson", "Gayle"};

static const char *const sa_m[] = {"Amit",   "Rahul",  "Sanjay", "Raj",      "Vikram",   "Arjun",  "Rohan",
                                   "Imran",  "Asif",   "Tariq",  "Bilal",    "Usman",    "Hamza",  "Harpreet",
                                   "Gurpreet", "Manjit", "Suresh", "Ravi",   "Anil",     "Deepak", "Kiran",
                                   "Nikhil", "Faisal", "Ajay",   "Karthik",  "Naveen"};
static const char *const sa_f[] = {"Priya",  "Anjali", "Sunita", "Neha",    "Pooja",  "Deepa",   "Kavita",
                                   "Meena",  "Shabnam", "Ayesha", "Fatima", "Sana",   "Nadia",   "Zainab",
                                   "Harjit", "Manpreet", "Simran", "Lakshmi", "Divya", "Asha",   "Rupa",
                                   "Farah",  "Hina",   "Amna",   "Saira",   "Nirmala"};
static const char *const sa_s[] = {"Patel",  "Shah",   "Singh",  "Sharma",  "Gupta",   "Kumar",  "Mehta",
                                   "Joshi",  "Desai",  "Khan",   "Hussain", "Ahmed",   "Ali",    "Iqbal",
                                   "Malik",  "Butt",   "Chaudhry", "Sandhu", "Gill",   "Dhillon", "Sivakumar",
                                   "Rajan",  "Nair",   "Pillai", "Mistry",  "Akhtar",  "Qureshi", "Raza",
                                   "Anwar",  "Varma"};

static const char *const bd_m[] = {"Mohammed", "Abdul", "Shahid",  "Mizanur", "Rahim",  "Habibur", "Jamal",
                                   "Rashid",   "Kamal", "Anwar",   "Shafiq",  "Ashraf", "Abul",    "Sayed",
                                   "Nurul",    "Rezaul", "Tanvir", "Rubel",   "Forhad", "Arif",    "Rafiq"};
static const char *const bd_f[] = {"Shahana", "Rokeya",  "Nasima", "Rina",    "Taslima", "Jahanara", "Sufia",
                                   "Rehana",  "Shirin",  "Hasina", "Salma",   "Nazma",   "Shamima",  "Ruksana",
                                   "Fahmida", "Tahmina", "Sumaiya", "Sadia",  "Farzana", "Laila"};
static const char *const bd_s[] = {"Miah",  "Uddin",  "Rahman", "Ahmed",   "Islam",  "Hussain", "Ali",
                                   "Khan",  "Choudhury", "Hoque", "Alam",  "Hossain", "Chowdhury", "Sarkar",
                                   "Karim", "Haque",  "Begum",  "Mahmud",  "Sultana", "Ullah"};

static const char *const tr_m[] = {"Mehmet", "Mustafa", "Ahmet", "Ali",   "Hasan", "Hüseyin", "İbrahim",
                                   "Murat",  "Emre",    "Burak", "Kemal", "Osman", "Yusuf",   "Serkan",
                                   "Cem",    "Tolga",   "Erkan", "Hakan", "Deniz", "Can"};
static const char *const tr_f[] = {"Ayşe",  "Fatma", "Emine", "Hatice", "Zeynep", "Elif",  "Meryem",
                                   "Özlem", "Sevgi", "Gül",   "Derya",  "Esra",   "Aylin", "Leyla",
                                   "Selin", "Melek", "Hülya", "Nur",    "Sibel",  "Yasemin"};
static const char *const tr_s[] = {"Yılmaz", "Kaya",  "Demir",  "Şahin",  "Çelik", "Yıldız", "Yıldırım",
                                   "Öztürk", "Aydın", "Özdemir", "Arslan", "Doğan", "Kılıç",  "Aslan",
                                   "Çetin",  "Kara",  "Koç",    "Kurt",   "Özkan", "Polat"};

static const char *const ee_m[] = {"Piotr",  "Krzysztof", "Tomasz",  "Paweł",  "Michał",  "Marcin", "Łukasz",
                                   "Jakub",  "Adam",      "Marek",   "Andrzej", "Kamil",  "Mateusz", "Andrei",
                                   "Ionuț",  "Mihai",     "Alexandru", "Tomas", "Mantas", "Darius"};
static const char *const ee_f[] = {"Anna",    "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Monika",
                                   "Aleksandra", "Natalia", "Karolina", "Ewa",      "Małgorzata", "Justyna",
                                   "Ioana",   "Elena",     "Andreea",   "Maria",     "Ieva",   "Rasa",
                                   "Agnė",    "Dorota"};
static const char *const ee_s[] = {"Nowak",   "Wójcik",  "Kowalczyk", "Woźniak", "Mazur",    "Krawczyk", "Kaczmarek",
                                   "Zając",   "Król",    "Wieczorek", "Pawlak",  "Michalak", "Sikora",   "Baran",
                                   "Popescu", "Ionescu", "Popa",      "Stan",    "Dumitru",  "Nagy"};

static const char *const so_m[] = {"Abdi",   "Abdullahi", "Mohamed", "Ahmed",     "Hassan",    "Hussein",
                                   "Omar",   "Ali",       "Yusuf",   "Ismail",    "Abdirahman", "Abdikarim",
                                   "Farah",  "Liban",     "Mahad",   "Khalid",    "Bashir",    "Said"};
static const char *const so_f[] = {"Amina", "Fadumo", "Hodan", "Sahra",  "Hawa",  "Asha",  "Nasra",
                                   "Ifrah", "Hibo",   "Ubah",  "Sagal",  "Ayan",  "Deeqa", "Ladan",
                                   "Hamdi", "Khadra", "Idil",  "Muna"};
static const char *const so_s[] = {"Abdi",  "Ahmed",   "Mohamed", "Hassan",  "Farah",   "Warsame", "Jama",
                                   "Osman", "Nur",     "Egal",    "Ali",     "Omar",    "Yusuf",   "Hersi",
                                   "Duale", "Aden",    "Ibrahim", "Samatar", "Isse",    "Gure"};

static const char *const la_m[] = {"José",   "Carlos", "Juan",   "Luis",   "Jorge",    "Diego",    "Andrés",
                                   "Miguel", "João",   "Pedro",  "Rui",    "Tiago",    "Paulo",    "Ricardo",
                                   "Fernando", "Alejandro", "Santiago", "Javier", "Felipe", "Manuel"};
static const char *const la_f[] = {"María",   "Ana",    "Lucía",  "Carmen",  "Sofía",    "Valentina", "Camila",
                                   "Daniela", "Paula",  "Mariana", "Beatriz", "Inês",    "Rita",      "Catarina",
                                   "Fernanda", "Gabriela", "Isabel", "Laura", "Patricia", "Rosa"};
static const char *const la_s[] = {"García",  "Rodríguez", "Martínez", "López",    "González", "Hernández", "Pérez",
                                   "Sánchez", "Ramírez",   "Torres",   "Gómez",    "Díaz",     "Silva",     "Santos",
                                   "Ferreira", "Pereira",  "Oliveira", "Costa",    "Rodrigues", "Gonçalves", "Fernandes",
                                   "Cardona", "Restrepo",  "Vargas",   "Morales",  "Castillo"};

static const char *const cn_m[] = {"Wei",  "Jian", "Hao",  "Ming", "Jun",   "Lei",   "Yang",
                                   "Tao",  "Kai",  "Minh", "Tuan", "Duc",   "Hung",  "Long",
                                   "Nam",  "Quang", "Thanh", "Kwok", "Chun", "Bo"};
static const char *const cn_f[] = {"Mei",  "Li",   "Ying", "Xin",  "Hui",  "Yan",   "Jing",
                                   "Lan",  "Fang", "Xiu",  "Linh", "Mai",  "Thao",  "Huong",
                                   "Trang", "Ngoc", "Hoa", "Lien", "Yee",  "Wing"};
static const char *const cn_s[] = {"Wang", "Li",   "Zhang", "Liu",   "Chen",   "Yang", "Huang", "Zhao",
                                   "Wu",   "Zhou", "Lin",   "Chan",  "Wong",   "Cheung", "Lam", "Ho",
                                   "Nguyen", "Tran", "Le",  "Pham",  "Hoang",  "Vu",   "Dang"};

static const char *const se_m[] = {"Marco",   "Luca",    "Giuseppe", "Alessandro", "Francesco", "Matteo",
                                   "Giorgos", "Nikos",   "Dimitris", "Kostas",     "Pierre",    "Julien",
                                   "Nicolas", "Antoine", "Stefano",  "Andreas",    "Christos",  "Lorenzo",
                                   "Hugo",    "Paolo"};
static const char *const se_f[] = {"Giulia",  "Francesca", "Chiara", "Sara",   "Elena",   "Martina", "Federica",
                                   "Maria",   "Eleni",     "Katerina", "Sophia", "Dimitra", "Camille", "Chloé",
                                   "Manon",   "Léa",       "Céline", "Marie",  "Valentina", "Anastasia"};
static const char *const se_s[] = {"Rossi",   "Russo",    "Ferrari",  "Esposito", "Bianchi",  "Romano",
                                   "Colombo", "Ricci",    "Marino",   "Greco",    "Papadopoulos", "Georgiou",
                                   "Nikolaou", "Christodoulou", "Ioannou", "Bernard", "Dubois", "Moreau",
                                   "Laurent", "Lefebvre", "Petit",    "Conti"};

static const char *const ea_m[] = {"Yonas",   "Dawit",  "Tesfaye", "Abel",    "Samuel",  "Bereket", "Henok",
                                   "Mulugeta", "Yohannes", "Tekle", "Kidane", "Filmon",  "Biniam",  "Amanuel",
                                   "Girma"};
static const char *const ea_f[] = {"Selam",  "Helen",  "Meron",  "Hana",  "Saba",      "Senait", "Tigist",
                                   "Mekdes", "Almaz",  "Rahel",  "Bethlehem", "Lydia", "Feven",  "Eden",
                                   "Yordanos"};
static const char *const ea_s[] = {"Tesfay",  "Haile",  "Gebremariam", "Tekle",  "Berhe",   "Kidane",
                                   "Mengistu", "Alemu", "Desta",       "Bekele", "Tadesse", "Woldemichael",
                                   "Ghebre",  "Abraha", "Negash"};

static const char *const ar_m[] = {"Mohammed", "Ahmed", "Omar",   "Youssef", "Karim", "Khalid", "Tarek", "Said",
                                   "Rachid",   "Hamza", "Mahmoud", "Ali",    "Hassan", "Nabil", "Sami"};
static const char *const ar_f[] = {"Fatima", "Amira", "Layla",  "Mariam", "Nour",    "Samira", "Yasmin", "Salma",
                                   "Rania",  "Hanan", "Leila",  "Khadija", "Zahra",  "Aisha",  "Dina"};
static const char *const ar_s[] = {"Benali", "El-Amin", "Haddad", "Mansour", "Saleh",  "Khalil",   "Hamdan", "Nasser",
                                   "Aziz",   "Farouk",  "Boukhari", "Mahmoud", "Hassan", "Ibrahim", "Abdallah"};

/* Names popular with London parents of every background. */
static const char *const kid_m[] = {"Muhammad", "Noah",  "Oliver", "Leo",   "George", "Theo",  "Arthur",
                                    "Jayden",   "Elijah", "Joshua", "Ethan", "Isaac", "Adam",  "Zachary",
                                    "Luca",     "Malachi", "Josiah", "Ezra", "Yusuf", "Aiden"};
static const char *const kid_f[] = {"Olivia", "Amelia", "Isla",  "Ava",   "Mia",   "Sophia", "Aria",
                                    "Maryam", "Zara",   "Nia",   "Ivy",   "Grace", "Lily",   "Esme",
                                    "Hannah", "Aisha",  "Imani", "Layla", "Sienna", "Freya"};

static const char *const lang_wa[] = {"yo", "yo", "tw", "ig", "fr"};
static const char *const lang_sa[] = {"ur", "pa", "gu", "ta", "hi"};
static const char *const lang_bd[] = {"bn", "bn", "syl"};
static const char *const lang_tr[] = {"tr", "tr", "tr", "ku"};
static const char *const lang_ee[] = {"pl", "pl", "pl", "ro", "lt"};
static const char *const lang_so[] = {"so"};
static const char *const lang_la[] = {"es", "es", "pt"};
static const char *const lang_cn[] = {"zh", "zh", "yue", "vi", "vi"};
static const char *const lang_se[] = {"it", "el", "fr", "es"};
static const char *const lang_ea[] = {"ti", "ti", "am"};
static const char *const lang_ar[] = {"ar"};

enum { G_ENGLISH, G_CARIBBEAN = 3, NGROUPS = 14 };

static const name_group groups[NGROUPS] = {
    {LIST(en_m), LIST(en_f), LIST(en_s), 380, 0, NULL, 0, 300},
    {LIST(ie_m), LIST(ie_f), LIST(ie_s), 35, 0, NULL, 0, 300},
    {LIST(wa_m), LIST(wa_f), LIST(wa_s), 115, 40, LIST(lang_wa), 300},
    {LIST(ca_m), LIST(ca_f), LIST(ca_s), 75, 0, NULL, 0, 250},
    {LIST(sa_m), LIST(sa_f), LIST(sa_s), 60, 180, LIST(lang_sa), 100},
    {LIST(bd_m), LIST(bd_f), LIST(bd_s), 45, 350, LIST(lang_bd), 80},
    {LIST(tr_m), LIST(tr_f), LIST(tr_s), 30, 380, LIST(lang_tr), 50},
    {LIST(ee_m), LIST(ee_f), LIST(ee_s), 45, 300, LIST(lang_ee), 60},
    {LIST(so_m), LIST(so_f), LIST(so_s), 25, 420, LIST(lang_so), 50},
    {LIST(la_m), LIST(la_f), LIST(la_s), 60, 300, LIST(lang_la), 200},
    {LIST(cn_m), LIST(cn_f), LIST(cn_s), 40, 330, LIST(lang_cn), 30},
    {LIST(se_m), LIST(se_f), LIST(se_s), 50, 120, LIST(lang_se), 150},
    {LIST(ea_m), LIST(ea_f), LIST(ea_s), 20, 350, LIST(lang_ea), 50},
    {LIST(ar_m), LIST(ar_f), LIST(ar_s), 20, 350, LIST(lang_ar), 50},
};

/* ---------------------------------------------------------------- needs */

static const char *const needs_adult[] = {
    "wheelchair user",
    "visually impaired",
    "blind, uses a screen reader",
    "deaf, BSL user",
    "hard of hearing, prefers email or text",
    "learning disability, needs easy read letters",
    "dyslexia, prefers phone calls",
    "large print letters",
    "mental health condition, prefers a named contact",
    "autistic, prefers written communication",
    "chronic fatigue, needs appointments at home",
    "stroke survivor, speech difficulties",
    "uses crutches, ground floor appointments only",
};
static const char *const needs_older[] = {
    "wheelchair user",
    "uses a walking frame, cannot manage stairs",
    "hard of hearing, uses a hearing aid",
    "partially sighted, large print letters",
    "dementia, contact carer first",
    "visually impaired",
    "mobility scooter user",
    "arthritis, cannot fill in paper forms",
};
static const char *const needs_child[] = {
    "autistic, needs a quiet space",
    "learning disability",
    "ADHD",
    "wheelchair user",
    "deaf, BSL user",
    "visually impaired",
    "speech and language needs",
};

/* ---------------------------------------------------------------- places */

typedef struct {
    const char *district; /* postcode outward code */
    const char *locality;
} district;

static const district districts[] = {
    {"SE1", "Bermondsey"},    {"SE5", "Camberwell"}, {"SE11", "Kennington"},  {"SE15", "Peckham"},
    {"SE16", "Rotherhithe"},  {"SE17", "Walworth"},  {"SE22", "East Dulwich"}, {"SE24", "Herne Hill"},
    {"SW8", "South Lambeth"}, {"SW9", "Stockwell"},
};
enum { NDIST = NELEM(districts), NSECTOR = 10, NUNIT = 400 };
static const char unit_letters[] = "ABDEFGHJLNPQRSTUWXYZ"; /* Royal Mail inward-code letters */

static const char *const estate_stems[] = {
    "Wyndham",  "Brandon",   "Kingswood", "Gloucester", "Pelier",    "Rockingham", "Chaucer",   "Tabard",
    "Setchell", "Silwood",   "Acorn",     "Tustin",     "Brayards",  "Consort",    "Denmark",   "Elmington",
    "Cotton",   "Crawford",  "Southwyck", "Stockwell",  "Mursell",   "Lansdowne",  "Hillbeck",  "Bonamy",
    "Bellenden", "Kennings", "Leathermarket", "Meakin", "Dickens",   "Pullens",    "Penrose",   "Draper",
    "Longfield", "Rodney",   "Townsend",  "Friary",     "Gaywood",   "Canada",     "Osprey",    "Rennie",
    "Lettsom",  "Sceaux",    "Fenwick",   "Ashmole",    "Vauxhall",  "Wilcox",     "Mawbey",    "Cooper's Road",
    "Kirby",    "Arnold",    "Dawes",     "Camden",     "Coopers",   "Tenda",      "Hawkstone", "Marlowe",
    "Priory",   "Haddonfield", "Manor",   "Nelson"};
static const char *const estate_suffix[] = {"Estate", "Estate", "Estate", "Gardens Estate", "Park Estate",
                                            "Road Estate", "Green Estate"};
static const char *const block_stems[] = {
    "Bramley",  "Aldbury",  "Cobbett",  "Blake",    "Shelley",  "Keats",     "Byron",    "Milton",   "Wordsworth",
    "Tennyson", "Hardy",    "Brontë",   "Austen",   "Ruskin",   "Faraday",   "Newton",   "Darwin",   "Fleming",
    "Nightingale", "Seacole", "Pankhurst", "Attlee", "Bevan",   "Lansbury",  "Morrison", "Hazel",    "Rowan",
    "Alder",    "Birch",    "Cedar",    "Elder",    "Juniper",  "Larch",     "Linden",   "Maple",    "Sycamore",
    "Willow",   "Hornbeam", "Chestnut", "Poplar",   "Aspen",    "Laurel",    "Holly",    "Oakfield", "Ashdown",
    "Bodmin",   "Exmoor",   "Cheviot",  "Pennine",  "Mendip",   "Quantock",  "Malvern",  "Cotswold", "Chiltern",
    "Tamar",    "Severn",   "Trent",    "Medway",   "Kennet",   "Ouse",      "Wensum",   "Derwent",  "Eden",
    "Avondale", "Clifton",  "Dorset",   "Kendal",   "Ludlow",   "Marden",    "Otford",   "Penshurst", "Rye",
    "Sandwich", "Tonbridge", "Wrotham", "Hythe",    "Lydd",     "Romney",    "Deal",     "Hever",    "Leeds"};
static const char *const block_suffix[] = {"House", "House", "House", "Court", "Court", "Lodge", "Mansions"};
static const char *const tower_suffix[] = {"House", "Point", "Tower", "Court"};
static const char *const ha_suffix[] = {"Court", "House", "Mews", "Lodge", "Place"};
static const char *const private_stems[] = {
    "Quayside", "Riverside", "Meridian", "Canalside", "Printworks", "Foundry",   "Brewery",  "Tannery",
    "Biscuit",  "Maltings",  "Timber",   "Granary",   "Dockside",  "Cornmill",  "Hatters",  "Glassworks",
    "Vista",    "Horizon",   "Parkview", "Skyline",   "Orchard",   "Signal",    "Station",  "Wharfside"};
static const char *const private_suffix[] = {"Wharf", "Point", "Apartments", "Heights", "Tower", "House",
                                             "Quarter", "Building"};
static const char *const street_stems[] = {
    "Acre",      "Albany",   "Benhill",   "Bushey Hill", "Camberwell Grove", "Choumert", "Coldharbour", "Crofton",
    "Danecroft", "Dalwood",  "Denman",    "Edgecombe",   "Elfindale",  "Evelina",   "Fenham",    "Flodden",
    "Gairloch",  "Grove Hill", "Hanover", "Harders",     "Heaton",     "Highshore", "Holly Grove", "Ivydale",
    "Kimberley", "Kirkwood", "Lyndhurst", "Maxted",      "Melbourne",  "Mortlock",  "Nutbrook",  "Oglander",
    "Ondine",    "Pellatt",  "Quorn",     "Reedham",     "Rye Hill",   "Shenley",   "Soames",    "Talfourd",
    "Tappesfield", "Troy",   "Underhill", "Vestry",      "Waghorn",    "Wivenhoe",  "Wood Vale", "Yeovil",
    "Albert",    "Alexandra", "Barnwell", "Bellwood",    "Cambria",    "Chadwick",  "Cicada",    "Copleston",
    "Dewar",     "Eckstein", "Fernholme", "Gibbon",      "Hindmans",   "Kelmore",   "Landells",  "Lordship",
    "Marsden",   "Nunhead",  "Oakhurst",  "Pytchley",    "Relf",       "Salisbury", "Stuart",    "Tresco",
    "Upland",    "Vicarage", "Wingfield", "Brixton Water", "Shakespeare", "Railton", "Mayall",   "Chaucer"};
static const char *const street_suffix[] = {"Road", "Road", "Road",    "Street", "Street",  "Lane",    "Grove",
                                            "Terrace", "Place", "Gardens", "Walk", "Crescent", "Square", "Avenue"};

/* ---------------------------------------------------------------- homes */

enum { K_ESTATE, K_HA, K_PRIVATE, K_CONV, K_HOUSE, NKINDS };
/* Share of all homes, per mille, by kind of building. */
static const int kind_pm[NKINDS] = {550, 120, 100, 100, 130};

enum { T_COUNCIL, T_HA, T_LEASE, T_PRIVATE, T_OWNER, NTENURE };
static const char *const tenure_name[NTENURE] = {"council_rent", "housing_association", "leasehold", "private_rent",
                                                 "owner_occupied"};
/* Tenure mix within each kind (per mille). */
static const int tenure_pm[NKINDS][NTENURE] = {
    {700, 30, 170, 100, 0}, /* estate: right-to-buy leaseholders, some sublet */
    {0, 850, 150, 0, 0},    /* housing association: some shared ownership */
    {0, 0, 450, 550, 0},    /* private new-build */
    {50, 50, 350, 550, 0},  /* converted house */
    {100, 50, 0, 250, 600}, /* street house */
};
static const char *const band_name[8] = {"A", "B", "C", "D", "E", "F", "G", "H"};
static const int band_pm[NKINDS][8] = {
    {300, 400, 220, 80, 0, 0, 0, 0},
    {200, 400, 300, 100, 0, 0, 0, 0},
    {0, 200, 350, 300, 120, 30, 0, 0},
    {100, 300, 350, 200, 50, 0, 0, 0},
    {0, 50, 150, 300, 280, 150, 60, 10},
};

/* One building handing out its homes in order. */
typedef struct {
    int open;
    char name[80];  /* "Bramley House", or "23 Acre Lane" for a converted house */
    char place[80]; /* estate name or locality */
    char postcode[9];
    int storeys, per_floor, maisonette, next, total;
    int apartment; /* private blocks: "Apartment 12" rather than "Flat 12" */
} building;

typedef struct {
    char name[64];
    int dist, sector, next_no, end_no, pc_left;
    char postcode[9];
} street;

/* What a home looks like before it becomes a property record. */
typedef struct {
    int kind, tenure, floor, garden;
    const char *type, *band;
    char line1[100], line2[100], line3[100], postcode[9], uprn[13]; /* lines: max_len 100 */
} home;

/* ---------------------------------------------------------------- people */

enum { C_SINGLE, C_COUPLE, C_FAMILY, C_LONE, C_SHARERS, C_OLDCOUPLE, C_MULTIGEN, C_ADULTKID, NCOMP };
static const int comp_flat_pm[NCOMP] = {330, 155, 175, 115, 85, 50, 35, 55};
static const int comp_house_pm[NCOMP] = {180, 150, 280, 90, 110, 80, 60, 50};

typedef struct {
    int sex; /* 0 male, 1 female */
    int age; /* whole years at DEMO_AS_OF */
    int group;
    int partnered;
    const char *rel;
    const char *family;
    long dob, from;
} pmodel;

typedef struct {
    int type, n;
    pmodel m[MAX_MEMBERS];
} hmodel;

/* ---------------------------------------------------------------- state */

typedef struct {
    store_conn *c;
    long long council;
    rng r;
    arena *a; /* this batch's memory */
    char *err;
    size_t errlen;
    demo_stats st;        /* rows written so far, including the open batch */
    demo_stats committed; /* rows in committed batches */
    long long batch_rows;

    long as_of; /* DEMO_AS_OF as a day number */
    unsigned char *pc_used; /* [NDIST][NSECTOR][NUNIT] postcodes handed out */
    uint64_t name_off; /* seed-derived offset into the street and estate name lists */
    uint64_t uprn;     /* the last UPRN handed out */
    long long nhomes, kind_n[NKINDS];

    building estate_block, ha_block, private_block, conversion;
    char estate_name[80];
    int estate_dist, estate_sector, estate_blocks_left;
    long long nestates, nstreets;
    street str;

    long long *hh_ids; /* every household written, for past memberships */
    size_t nhh, hh_cap;
} gen;

static int fail(gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(gen *g, const char *fmt, ...)
{
    if (g->err && g->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g->err, g->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---------------------------------------------------------------- places */

/* A postcode in district dist, preferring sector; unique while the sector
 * has free units (40,000 in all), reused only beyond that. */
static void new_postcode(gen *g, int dist, int sector, char out[9])
{
    int start = (int)rng_below(&g->r, NUNIT), unit = start;
    for (int t = 0; t < NSECTOR; t++) {
        int s = (sector + t) % NSECTOR, u = -1;
        unsigned char *used = &g->pc_used[((size_t)dist * NSECTOR + (size_t)s) * NUNIT];
        for (int k = 0; k < NUNIT && u < 0; k++)
            if (!used[(start + k * 37) % NUNIT]) /* 37 is coprime with 400: visits every unit */
                u = (start + k * 37) % NUNIT;
        if (u >= 0) {
            used[u] = 1;
            unit = u;
            sector = s;
            break;
        }
    }
    snprintf(out, 9, "%s %d%c%c", districts[dist].district, sector, unit_letters[unit / 20], unit_letters[unit % 20]);
}

/* The i-th name of a list of a x b combinations, visiting each once before
 * repeating (7919 is prime and larger than any a x b here). */
static void combo_name(gen *g, long long i, const char *const *a, int na, const char *const *b, int nb, char *out,
                       size_t cap)
{
    long long n = (long long)na * nb;
    long long k = ((long long)(g->name_off % (uint64_t)n) + i * 7919) % n;
    snprintf(out, cap, "%s %s", a[k / nb], b[k % nb]);
}

static void next_estate(gen *g)
{
    combo_name(g, g->nestates++, estate_stems, NELEM(estate_stems), estate_suffix, NELEM(estate_suffix),
               g->estate_name, sizeof g->estate_name);
    g->estate_dist = (int)rng_below(&g->r, NDIST);
    g->estate_sector = rng_range(&g->r, 1, 9);
    g->estate_blocks_left = rng_range(&g->r, 2, 9);
}

static void open_block(gen *g, int kind, building *b)
{
    rng *r = &g->r;
    memset(b, 0, sizeof *b);
    b->open = 1;
    int dist, sector;
    if (kind == K_ESTATE) {
        if (g->estate_blocks_left <= 0)
            next_estate(g);
        g->estate_blocks_left--;
        dist = g->estate_dist;
        sector = g->estate_sector;
        snprintf(b->place, sizeof b->place, "%s", g->estate_name);
        int height = pick_weighted(r, (const int[]){450, 350, 200}, 3);
        if (height == 0) {
            b->maisonette = chance(r, 500);
            b->storeys = b->maisonette ? 2 * rng_range(r, 2, 3) : rng_range(r, 3, 5);
            b->per_floor = rng_range(r, 4, 8);
        } else if (height == 1) {
            b->maisonette = chance(r, 200); /* deck-access maisonette slabs */
            b->storeys = b->maisonette ? 2 * rng_range(r, 3, 6) : rng_range(r, 6, 12);
            b->per_floor = rng_range(r, 4, 8);
        } else {
            b->storeys = rng_range(r, 13, 20);
            b->per_floor = rng_range(r, 4, 6);
        }
        snprintf(b->name, sizeof b->name, "%s %s", PICK(r, block_stems),
                 height == 2 ? PICK(r, tower_suffix) : PICK(r, block_suffix));
    } else {
        dist = (int)rng_below(r, NDIST);
        sector = rng_range(r, 1, 9);
        snprintf(b->place, sizeof b->place, "%s", districts[dist].locality);
        if (kind == K_HA) {
            b->storeys = rng_range(r, 3, 8);
            b->per_floor = rng_range(r, 3, 6);
            snprintf(b->name, sizeof b->name, "%s %s", PICK(r, block_stems), PICK(r, ha_suffix));
        } else {
            b->storeys = rng_range(r, 5, 20);
            b->per_floor = rng_range(r, 4, 8);
            b->apartment = chance(r, 600);
            snprintf(b->name, sizeof b->name, "%s %s", PICK(r, private_stems), PICK(r, private_suffix));
        }
    }
    b->total = (b->maisonette ? b->storeys / 2 : b->storeys) * b->per_floor;
    new_postcode(g, dist, sector, b->postcode);
}

/* The next house number on the current street, opening a new street (and
 * a new postcode every dozen or so numbers) as needed. */
static int next_street_number(gen *g)
{
    street *s = &g->str;
    rng *r = &g->r;
    if (s->next_no == 0 || s->next_no > s->end_no) {
        combo_name(g, g->nstreets++, street_stems, NELEM(street_stems), street_suffix, NELEM(street_suffix), s->name,
                   sizeof s->name);
        s->dist = (int)rng_below(r, NDIST);
        s->sector = rng_range(r, 1, 9);
        s->next_no = 1;
        s->end_no = rng_range(r, 20, 150);
        s->pc_left = 0;
    }
    if (s->pc_left <= 0) {
        new_postcode(g, s->dist, s->sector, s->postcode);
        s->pc_left = rng_range(r, 8, 20);
    }
    s->pc_left--;
    return s->next_no++;
}

/* Picks the kind furthest behind its share, so every prefix of the load
 * has close to the target mix. */
static int next_kind(gen *g)
{
    int best = 0;
    long long best_gap = LLONG_MIN;
    for (int k = 0; k < NKINDS; k++) {
        long long gap = (long long)kind_pm[k] * (g->nhomes + 1) - 1000LL * g->kind_n[k];
        if (gap > best_gap) {
            best_gap = gap;
            best = k;
        }
    }
    g->kind_n[best]++;
    g->nhomes++;
    return best;
}

static void next_home(gen *g, home *h)
{
    rng *r = &g->r;
    memset(h, 0, sizeof *h);
    h->kind = next_kind(g);
    h->tenure = pick_weighted(r, tenure_pm[h->kind], NTENURE);
    h->band = band_name[pick_weighted(r, band_pm[h->kind], 8)];
    h->type = "flat";
    building *b = NULL;
    switch (h->kind) {
    case K_ESTATE:
        b = &g->estate_block;
        break;
    case K_HA:
        b = &g->ha_block;
        break;
    case K_PRIVATE:
        b = &g->private_block;
        break;
    case K_CONV:
        b = &g->conversion;
        if (!b->open || b->next >= b->total) {
            memset(b, 0, sizeof *b);
            b->open = 1;
            int no = next_street_number(g);
            snprintf(b->name, sizeof b->name, "%d %s", no, g->str.name);
            snprintf(b->place, sizeof b->place, "%s", districts[g->str.dist].locality);
            memcpy(b->postcode, g->str.postcode, sizeof b->postcode);
            b->total = b->storeys = rng_range(r, 2, 3);
            b->per_floor = 1;
        }
        h->floor = b->next;
        snprintf(h->line1, sizeof h->line1, "Flat %c", 'A' + b->next);
        snprintf(h->line2, sizeof h->line2, "%s", b->name);
        snprintf(h->line3, sizeof h->line3, "%s", b->place);
        memcpy(h->postcode, b->postcode, sizeof h->postcode);
        h->garden = h->floor == 0 && chance(r, 500);
        b->next++;
        break;
    case K_HOUSE: {
        int no = next_street_number(g);
        h->type = "house";
        snprintf(h->line1, sizeof h->line1, "%d %s", no, g->str.name);
        snprintf(h->line3, sizeof h->line3, "%s", districts[g->str.dist].locality);
        memcpy(h->postcode, g->str.postcode, sizeof h->postcode);
        h->garden = chance(r, 850);
        break;
    }
    default:
        break;
    }
    if (b && h->kind != K_CONV) {
        if (!b->open || b->next >= b->total)
            open_block(g, h->kind, b);
        int level = b->next / b->per_floor;
        h->floor = b->maisonette ? 2 * level : level;
        if (b->maisonette)
            h->type = "maisonette";
        snprintf(h->line1, sizeof h->line1, "%s %d", b->apartment ? "Apartment" : "Flat", b->next + 1);
        snprintf(h->line2, sizeof h->line2, "%s", b->name);
        snprintf(h->line3, sizeof h->line3, "%s", b->place);
        memcpy(h->postcode, b->postcode, sizeof h->postcode);
        h->garden = h->floor == 0 && chance(r, b->maisonette ? 400 : h->kind == K_HA ? 150 : h->kind == K_ESTATE ? 100 : 0);
        b->next++;
    }
    /* 12-digit UPRNs, ascending with random gaps: unique, and appended to
     * the store's UPRN index rather than scattered through it. */
    g->uprn += 1 + rng_below(r, 40);
    snprintf(h->uprn, sizeof h->uprn, "%llu", (unsigned long long)g->uprn);
}

static int insert(gen *g, record *r, const char *what)
{
    errlist errs;
    errs.n = 0;
    if (record_validate(r, 1, g->a, &errs) != 0)
        return fail(g, "demo: generated %s fails validation: %s %s", what, errs.e[0].field, errs.e[0].message);
    if (store_insert(g->c, g->council, r) != STORE_OK)
        return fail(g, "demo: cannot insert %s: %s", what, store_errmsg(g->c));
    g->batch_rows++;
    return 0;
}

static int write_home(gen *g, const home *h, long long *id)
{
    record r;
    record_init(&r, &property_def);
    rec_set_str(&r, "uprn", h->uprn);
    rec_set_str(&r, "address_line_1", h->line1);
    if (h->line2[0])
        rec_set_str(&r, "address_line_2", h->line2);
    rec_set_str(&r, "address_line_3", h->line3);
    rec_set_str(&r, "town", "London");
    rec_set_str(&r, "postcode", h->postcode);
    rec_set_str(&r, "property_type", h->type);
    rec_set_int(&r, "floor", h->floor);
    rec_set_int(&r, "has_garden", h->garden);
    rec_set_str(&r, "tenure", tenure_name[h->tenure]);
    rec_set_str(&r, "council_tax_band", h->band);
    if (insert(g, &r, "property") != 0)
        return -1;
    g->st.properties++;
    *id = r.id;
    return 0;
}

/* ---------------------------------------------------------------- households */

static int pick_group(gen *g)
{
    int x = (int)rng_below(&g->r, 1000);
    for (int i = 0; i < NGROUPS; i++) {
        if (x < groups[i].weight_pm)
            return i;
        x -= groups[i].weight_pm;
    }
    return G_ENGLISH;
}

static const char *family_name(gen *g, int group)
{
    const name_group *ng = &groups[group];
    return ng->family[rng_below(&g->r, (unsigned)ng->nfamily)];
}

static pmodel *add_member(hmodel *h, int sex, int age, int group, const char *rel, const char *family)
{
    pmodel *p = &h->m[h->n++];
    memset(p, 0, sizeof *p);
    p->sex = sex;
    p->age = age;
    p->group = group;
    p->rel = rel;
    p->family = family;
    return p;
}

/* A partner for the head: similar age (within lo..hi), usually of the other
 * sex and the same background, often sharing the family name. */
static void add_partner(gen *g, hmodel *h, int age_lo, int age_hi)
{
    rng *r = &g->r;
    pmodel *head = &h->m[0];
    int sex = chance(r, 960) ? !head->sex : head->sex;
    int group = chance(r, 800) ? head->group : pick_group(g);
    int age = clamp_i(head->age + rng_range(r, -6, 6), age_lo, age_hi);
    const char *fam = chance(r, 550) ? head->family : family_name(g, group);
    add_member(h, sex, age, group, "partner", fam)->partnered = 1;
    head->partnered = 1;
}

static int number_of_children(gen *g)
{
    return 1 + pick_weighted(&g->r, (const int[]){450, 350, 140, 50, 10}, 5);
}

/* Children under 18 below the parents already in h, the oldest aged
 * oldest, none more than 45 years younger than either parent. */
static void add_children(gen *g, hmodel *h, int oldest, int n)
{
    rng *r = &g->r;
    int eldest_parent = h->m[0].age;
    if (h->n > 1 && h->m[1].age > eldest_parent)
        eldest_parent = h->m[1].age;
    int youngest_allowed = eldest_parent - 45 > 0 ? eldest_parent - 45 : 0;
    int age = oldest;
    for (int i = 0; i < n && h->n < MAX_MEMBERS - 1; i++) {
        if (i > 0)
            age -= chance(r, 30) ? 0 : rng_range(r, 1, 5); /* 3% twins */
        if (age < youngest_allowed)
            break;
        add_member(h, (int)rng_below(r, 2), age, h->m[0].group, "child", h->m[0].family);
    }
}

static void make_household(gen *g, int kind, hmodel *h)
{
    rng *r = &g->r;
    memset(h, 0, sizeof *h);
    h->type = pick_weighted(r, kind == K_HOUSE ? comp_house_pm : comp_flat_pm, NCOMP);
    int group = pick_group(g);
    const char *fam = family_name(g, group);
    switch (h->type) {
    case C_SINGLE: {
        int band = pick_weighted(r, (const int[]){230, 300, 230, 100, 140}, 5);
        static const int lo[] = {18, 30, 45, 65, 75}, hi[] = {29, 44, 64, 74, 97};
        int age = rng_range(r, lo[band], hi[band]);
        add_member(h, chance(r, age >= 65 ? 620 : 480), age, group, "head", fam);
        break;
    }
    case C_COUPLE: {
        int band = pick_weighted(r, (const int[]){400, 300, 300}, 3);
        static const int lo[] = {20, 35, 50}, hi[] = {34, 49, 64};
        add_member(h, chance(r, 450), rng_range(r, lo[band], hi[band]), group, "head", fam);
        add_partner(g, h, 18, 70);
        break;
    }
    case C_FAMILY:
    case C_LONE:
    case C_MULTIGEN: {
        int oldest = rng_range(r, 0, 17);
        /* Ages are whole years on DEMO_AS_OF, so an age gap of 19..45 keeps
         * the gap between birth dates within 18..45 years. */
        int age = oldest + (chance(r, 900) ? rng_range(r, 20, 40) : rng_range(r, 19, 45));
        int sex = h->type == C_LONE ? chance(r, 850) : chance(r, 450);
        add_member(h, sex, age, group, "head", fam);
        if (h->type != C_LONE)
            add_partner(g, h, oldest + 19, oldest + 45);
        add_children(g, h, oldest, number_of_children(g));
        if (h->type == C_MULTIGEN) {
            int gp = age + rng_range(r, 20, 35);
            add_member(h, chance(r, 650), gp > 98 ? 98 : gp, group, "parent",
                       chance(r, 600) ? fam : family_name(g, group));
        }
        break;
    }
    case C_SHARERS: {
        int n = 2 + pick_weighted(r, (const int[]){450, 350, 200}, 3);
        for (int i = 0; i < n; i++) {
            int gi = i == 0 ? group : pick_group(g);
            int age = chance(r, 900) ? rng_range(r, 19, 40) : rng_range(r, 41, 58);
            add_member(h, (int)rng_below(r, 2), age, gi, i == 0 ? "head" : chance(r, 250) ? "lodger" : "other",
                       i == 0 ? fam : family_name(g, gi));
        }
        break;
    }
    case C_OLDCOUPLE: {
        int age = chance(r, 600) ? rng_range(r, 65, 79) : rng_range(r, 80, 94);
        add_member(h, chance(r, 400), age, group, "head", fam);
        add_partner(g, h, 60, 99);
        break;
    }
    case C_ADULTKID: {
        int kid = rng_range(r, 18, 34);
        int age = kid + rng_range(r, 20, 40);
        add_member(h, chance(r, 600), age, group, "head", fam);
        if (chance(r, 600))
            add_partner(g, h, kid + 19, kid + 45);
        add_member(h, (int)rng_below(r, 2), kid, group, "child", fam);
        int second = kid - rng_range(r, 1, 4), eldest = h->m[0].age;
        if (h->m[1].age > eldest)
            eldest = h->m[1].age; /* m[1] is the partner or the first child */
        if (chance(r, 250) && second >= 18 && eldest - second <= 45)
            add_member(h, (int)rng_below(r, 2), second, group, "child", fam);
        break;
    }
    default:
        break;
    }
}

/* A birth date for someone exactly age whole years old on DEMO_AS_OF. */
static long birth_date(gen *g, int age)
{
    int y, m, d;
    civil_from_days(g->as_of, &y, &m, &d);
    long lo = days_from_civil(y - age - 1, m, d) + 1, hi = days_from_civil(y - age, m, d);
    return lo + (long)rng_below(&g->r, (unsigned)(hi - lo + 1));
}

/* Move-in dates: the household's from its tenure (private renters move
 * often, council tenants and owners stay), never before the head was 18;
 * each member's from that, their birth, or a later arrival. */
static void move_in_dates(gen *g, hmodel *h, int tenure)
{
    rng *r = &g->r;
    for (int i = 0; i < h->n; i++)
        h->m[i].dob = birth_date(g, h->m[i].age);
    static const int max_years[NTENURE] = {30, 25, 20, 6, 35};
    unsigned span = (unsigned)max_years[tenure] + 1;
    int y1 = (int)rng_below(r, span), y2 = (int)rng_below(r, span);
    int years = tenure == T_PRIVATE || y1 < y2 ? y1 : y2; /* the smaller of two: most moved in recently */
    long from = g->as_of - years * 365L - (long)rng_below(r, 365);
    long head18 = add_years(h->m[0].dob, 18);
    if (from < head18)
        from = head18 + (long)rng_below(r, (unsigned)(g->as_of - head18 + 1));
    h->m[0].from = from;
    for (int i = 1; i < h->n; i++) {
        pmodel *p = &h->m[i];
        long f = from;
        if (strcmp(p->rel, "child") == 0) {
            f = max_l(from, p->dob);
        } else if (strcmp(p->rel, "partner") == 0) {
            if (chance(r, 250))
                f = from + (long)rng_below(r, (unsigned)(g->as_of - from + 1));
            f = max_l(f, add_years(p->dob, 18));
        } else {
            /* parent, sharers and lodgers arrive on their own dates */
            long earliest = max_l(from, add_years(p->dob, 18));
            long latest = g->as_of;
            f = earliest >= latest ? latest : earliest + (long)rng_below(r, (unsigned)(latest - earliest + 1));
        }
        p->from = min_l(f, g->as_of);
    }
}

/* Lower-case ASCII for an email address: accents folded, other marks dropped. */
static char fold_char(unsigned cp)
{
    if (cp < 128) {
        if (cp >= 'A' && cp <= 'Z')
            return (char)(cp - 'A' + 'a');
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
            return (char)cp;
        return 0;
    }
    static const struct {
        unsigned cp;
        char c;
    } folds[] = {
        {0xE0, 'a'}, {0xE1, 'a'}, {0xE2, 'a'}, {0xE3, 'a'}, {0xE4, 'a'}, {0x105, 'a'}, {0xC1, 'a'},
        {0xE7, 'c'}, {0x107, 'c'}, {0xC7, 'c'}, {0xE8, 'e'}, {0xE9, 'e'}, {0xEA, 'e'}, {0xEB, 'e'},
        {0x119, 'e'}, {0x117, 'e'}, {0xC9, 'e'}, {0xEC, 'i'}, {0xED, 'i'}, {0xEE, 'i'}, {0xEF, 'i'},
        {0x131, 'i'}, {0x130, 'i'}, {0xF1, 'n'}, {0x144, 'n'}, {0xF2, 'o'}, {0xF3, 'o'}, {0xF4, 'o'},
        {0xF5, 'o'}, {0xF6, 'o'}, {0xD3, 'o'}, {0xD6, 'o'}, {0xF9, 'u'}, {0xFA, 'u'}, {0xFB, 'u'},
        {0xFC, 'u'}, {0xDC, 'u'}, {0x15F, 's'}, {0x15B, 's'}, {0x15E, 's'}, {0x15A, 's'}, {0x219, 's'},
        {0x11F, 'g'}, {0x142, 'l'}, {0x141, 'l'}, {0x17C, 'z'}, {0x17A, 'z'}, {0x17B, 'z'}, {0x21B, 't'},
        {0x163, 't'}, {0xC7, 'c'},
    };
    for (int i = 0; i < NELEM(folds); i++)
        if (folds[i].cp == cp)
            return folds[i].c;
    return 0;
}

static void fold_ascii(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n + 1 < cap) {
        unsigned cp = *p;
        int len = cp >= 0xF0 ? 4 : cp >= 0xE0 ? 3 : cp >= 0xC0 ? 2 : 1;
        if (len > 1)
            cp &= 0x7Fu >> len;
        for (int i = 1; i < len && p[i]; i++)
            cp = (cp << 6) | (p[i] & 0x3F);
        for (int i = 0; i < len && *p; i++)
            p++;
        char c = fold_char(cp);
        if (c)
            out[n++] = c;
    }
    out[n] = '\0';
}

static const char *given_name(gen *g, const pmodel *p)
{
    rng *r = &g->r;
    if (p->age < 18 && chance(r, 350))
        return p->sex ? PICK(r, kid_f) : PICK(r, kid_m);
    const name_group *ng = &groups[p->group];
    return p->sex ? ng->female[rng_below(r, (unsigned)ng->nfemale)] : ng->male[rng_below(r, (unsigned)ng->nmale)];
}

static const char *title_for(gen *g, const pmodel *p)
{
    rng *r = &g->r;
    if (p->age < 18)
        return NULL;
    if (chance(r, 5))
        return "Mx";
    if (chance(r, 15))
        return "Dr";
    if (!p->sex)
        return "Mr";
    if (p->partnered)
        return chance(r, 500) ? "Mrs" : "Ms";
    return chance(r, p->age < 30 ? 500 : 150) ? "Miss" : "Ms";
}

static const char *language_for(gen *g, const pmodel *p)
{
    const name_group *ng = &groups[p->group];
    int pm = ng->other_lang_pm;
    if (p->age >= 60)
        pm = pm * 2 > 900 ? 900 : pm * 2;
    else if (p->age < 18)
        pm /= 3;
    if (ng->nlangs && chance(&g->r, pm))
        return ng->langs[rng_below(&g->r, (unsigned)ng->nlangs)];
    return "en";
}

static const char *needs_for(gen *g, const pmodel *p)
{
    rng *r = &g->r;
    int pm = p->age < 18 ? 30 : p->age < 65 ? 55 : p->age < 75 ? 150 : 350;
    if (!chance(r, pm))
        return NULL;
    if (p->age < 18)
        return PICK(r, needs_child);
    const char *first = p->age >= 65 && chance(r, 700) ? PICK(r, needs_older) : PICK(r, needs_adult);
    if (chance(r, 100)) {
        const char *second = PICK(r, needs_adult);
        if (strcmp(second, first) != 0)
            return arena_printf(g->a, "%s; %s", first, second);
    }
    return first;
}

/* Fills person record pr for p (names, dates, contact details, needs). */
static void person_record(gen *g, const pmodel *p, record *pr, char dob[11])
{
    rng *r = &g->r;
    record_init(pr, &person_def);
    const char *given = given_name(g, p);
    rec_set_str(pr, "given_name", given);
    if (chance(r, groups[p->group].middle_pm)) {
        const char *mid = given_name(g, p);
        if (strcmp(mid, given) != 0)
            rec_set_str(pr, "middle_names", mid);
    }
    rec_set_str(pr, "family_name", p->family);
    const char *title = title_for(g, p);
    if (title)
        rec_set_str(pr, "title", title);
    date_write(p->dob, dob);
    rec_set_str(pr, "date_of_birth", dob);
    const char *needs = needs_for(g, p);
    if (needs)
        rec_set_str(pr, "accessibility_needs", needs);
    if (p->age < 16)
        return;

    const char *lang = language_for(g, p);
    int help_pm = p->age < 45 ? 40 : p->age < 65 ? 100 : p->age < 75 ? 300 : 600;
    if (strcmp(lang, "en") != 0)
        help_pm += 250;
    int help = p->age >= 18 && chance(r, help_pm);
    int email_pm = p->age < 18 ? 300 : p->age < 65 ? 780 : p->age < 75 ? 450 : 150;
    int phone_pm = p->age < 18 ? 650 : p->age < 75 ? 880 : 600;
    int has_email = chance(r, help ? email_pm / 3 : email_pm), has_phone = chance(r, phone_pm);
    rec_set_str(pr, "preferred_language", lang);
    if (p->age >= 18)
        rec_set_int(pr, "needs_digital_help", help);
    if (has_email) {
        char gn[64], fn[64];
        fold_ascii(given, gn, sizeof gn);
        fold_ascii(p->family, fn, sizeof fn);
        const char *domain = chance(r, 500) ? "example.org" : "example.com";
        const char *email;
        switch (rng_below(r, 4)) {
        case 0:
            email = arena_printf(g->a, "%s.%s@%s", gn, fn, domain);
            break;
        case 1:
            email = arena_printf(g->a, "%s%s%d@%s", gn, fn, rng_range(r, 1, 99), domain);
            break;
        case 2:
            email = arena_printf(g->a, "%c.%s@%s", gn[0] ? gn[0] : 'x', fn, domain);
            break;
        default:
            email = arena_printf(g->a, "%s.%s%d@%s", fn, gn, rng_range(r, 1, 999), domain);
            break;
        }
        rec_set_str(pr, "email", email);
    }
    if (has_phone) {
        /* Only Ofcom's range for drama (07700 900000-900999): a random
         * mobile number may be a real person's, and a demo must never be
         * able to text one. Numbers repeat across people; that is fine. */
        rec_set_str(pr, "phone", arena_printf(g->a, "07700 900%03d", (int)rng_range(r, 0, 999)));
    }
    /* How they like to hear from the council: only channels they can use. */
    int old = p->age >= 75;
    int w[6] = {
        has_email && !help ? 380 : 0,                     /* email */
        has_phone ? (help ? 450 : 180) : 0,               /* phone */
        has_phone ? (help ? 50 : 120) : 0,                /* sms */
        (help ? 250 : 60) + (old ? 150 : 0),              /* post */
        has_email && !help ? 220 : 0,                     /* web */
        (help ? 250 : 40) + (old ? 100 : 0),              /* face_to_face */
    };
    static const char *const channel[6] = {"email", "phone", "sms", "post", "web", "face_to_face"};
    rec_set_str(pr, "preferred_channel", channel[pick_weighted(r, w, 6)]);
}

static int write_member(gen *g, long long hh, long long person, const char *rel, long from, long to)
{
    char f[11], t[11];
    record m;
    record_init(&m, &member_def);
    rec_set_int(&m, "household_id", hh);
    rec_set_int(&m, "person_id", person);
    rec_set_str(&m, "relationship", rel);
    date_write(from, f);
    rec_set_str(&m, "from_date", f);
    if (to) {
        date_write(to, t);
        rec_set_str(&m, "to_date", t);
    }
    if (insert(g, &m, "household_member") != 0)
        return -1;
    g->st.members++;
    return 0;
}

/* Writes one household (and any vacant homes drawn before it), with at most
 * *remaining people; takes the people written off *remaining. */
static int write_household(gen *g, long long *remaining)
{
    rng *r = &g->r;
    home h;
    long long prop;
    for (;;) {
        next_home(g, &h);
        if (write_home(g, &h, &prop) != 0)
            return -1;
        if (!chance(r, VACANT_PM))
            break;
    }
    hmodel hm;
    make_household(g, h.kind, &hm);
    if (hm.n > *remaining)
        hm.n = (int)*remaining; /* the last household: keep the first members (the head first) */
    move_in_dates(g, &hm, h.tenure);

    const pmodel *head = &hm.m[0];
    const char *name;
    if (hm.type == C_SHARERS && hm.n > 1)
        name = arena_printf(g->a, "Sharers at %s%s%s", h.line1, h.line2[0] ? ", " : "", h.line2);
    else if (hm.n == 1)
        name = arena_printf(g->a, "The %s household", head->family);
    else if (strcmp(hm.m[1].family, head->family) != 0 && strcmp(hm.m[1].rel, "partner") == 0)
        name = arena_printf(g->a, "The %s and %s household", head->family, hm.m[1].family);
    else
        name = arena_printf(g->a, "The %s family", head->family);
    record hr;
    record_init(&hr, &household_def);
    rec_set_int(&hr, "property_id", prop);
    rec_set_str(&hr, "name", name);
    if (insert(g, &hr, "household") != 0)
        return -1;
    g->st.households++;

    for (int i = 0; i < hm.n; i++) {
        const pmodel *p = &hm.m[i];
        record pr;
        char dob[11];
        person_record(g, p, &pr, dob);
        if (insert(g, &pr, "person") != 0)
            return -1;
        g->st.people++;
        /* A few younger adults came from a flat share elsewhere in the borough. */
        int mover = p->age >= 20 && p->age <= 45 && strcmp(p->rel, "child") != 0 && g->nhh > 0;
        if (mover && chance(r, 50)) {
            long to = p->from - rng_range(r, 1, 90);
            long from = to - rng_range(r, 180, 1800);
            if (from >= add_years(p->dob, 18)) {
                long long past = g->hh_ids[rng_below(r, (unsigned)(g->nhh < UINT_MAX ? g->nhh : UINT_MAX))];
                if (write_member(g, past, pr.id, chance(r, 400) ? "lodger" : "other", from, to) != 0)
                    return -1;
            }
        }
        if (write_member(g, hr.id, pr.id, p->rel, p->from, 0) != 0)
            return -1;
    }
    if (g->nhh == g->hh_cap) {
        g->hh_cap = g->hh_cap ? 2 * g->hh_cap : 4096;
        g->hh_ids = xrealloc(g->hh_ids, g->hh_cap * sizeof *g->hh_ids);
    }
    g->hh_ids[g->nhh++] = hr.id;
    *remaining -= hm.n;
    return 0;
}

static long parse_as_of(void)
{
    const char *s = DEMO_AS_OF;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return days_from_civil(y, m, d);
}

int demo_load(store_conn *c, long long council, long long people, unsigned long long seed, demo_stats *out,
              char *err, size_t errlen)
{
    uint64_t t0 = time_mono_ns();
    gen g;
    memset(&g, 0, sizeof g);
    g.c = c;
    g.council = council;
    g.err = err;
    g.errlen = errlen;
    if (err && errlen)
        err[0] = '\0';
    int rc = 0;
    if (!c)
        rc = fail(&g, "demo: no store connection");
    else if (council <= 0)
        rc = fail(&g, "demo: council must be a positive id, not %lld", council);
    else if (people < 1)
        rc = fail(&g, "demo: people must be at least 1, not %lld", people);
    if (rc == 0) {
        rng_seed(&g.r, seed);
        g.as_of = parse_as_of();
        g.name_off = rng_next(&g.r) % 100000000000ull;
        /* A base of 1 to 8 x 10^11 leaves room for 5 x 10^9 homes in 12 digits. */
        g.uprn = 100000000000ull + rng_next(&g.r) % 700000000000ull;
        g.pc_used = xcalloc((size_t)NDIST * NSECTOR * NUNIT, 1);
        long long remaining = people;
        for (int batches = 0; rc == 0 && remaining > 0; batches++) {
            g.a = arena_new();
            g.batch_rows = 0;
            if (store_begin(c) != STORE_OK) {
                rc = fail(&g, "demo: cannot begin a transaction: %s", store_errmsg(c));
            } else {
                while (rc == 0 && remaining > 0 && g.batch_rows < (batches ? BATCH_ROWS : FIRST_BATCH_ROWS))
                    rc = write_household(&g, &remaining);
                if (rc == 0 && store_commit(c) != STORE_OK)
                    rc = fail(&g, "demo: cannot commit: %s", store_errmsg(c));
                if (rc == 0)
                    g.committed = g.st;
                else
                    store_rollback(c);
                if (rc == 0 && batches == 0 && store_optimize(c) != STORE_OK)
                    rc = fail(&g, "demo: cannot update the planner's statistics: %s", store_errmsg(c));
            }
            arena_free(g.a);
            g.a = NULL;
        }
        free(g.pc_used);
        free(g.hh_ids);
    }
    g.committed.seconds = (double)(time_mono_ns() - t0) / 1e9;
    if (out)
        *out = g.committed;
    return rc;
}
