// Generates a realistic contacts CSV for the import benchmark and the big
// test files: names, companies, titles, mixed phone formats (US national,
// international, dotted, E.164, extensions; 2% UK numbers), quoted fields with
// commas, and a share of bad rows (empty name, malformed phone).
//
//   sb_gen_contacts ROWS OUT.csv [BAD_PERCENT=1] [SEED=42]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {

const char* kFirst[] = {"James",  "Mary",    "John",      "Patricia", "Robert",  "Jennifer", "Michael",
                        "Linda",  "William", "Elizabeth", "David",    "Barbara", "Richard",  "Susan",
                        "Joseph", "Jessica", "Thomas",    "Sarah",    "Charles", "Karen",    "José",
                        "Zoë",    "Ahmed",   "Mei",       "Olu",      "Siobhán", "Łukasz",   "Priya"};
const char* kLast[] = {"Smith",     "Johnson",  "Williams",  "Brown",    "Jones",    "Garcia", "Miller",   "Davis",
                       "Rodriguez", "Martinez", "Hernandez", "Lopez",    "Gonzalez", "Wilson", "Anderson", "Thomas",
                       "O'Brien",   "Nguyen",   "Müller",    "Kowalski", "Okafor",   "Chen",   "Patel",    "Dubois"};
const char* kCompanyA[] = {"Acme",     "Globex", "Initech",   "Umbrella",   "Hooli",
                           "Stark",    "Wayne",  "Tyrell",    "Cyberdyne",  "Soylent",
                           "Vandelay", "Wonka",  "Gringotts", "Pied Piper", "Aperture"};
const char* kCompanyB[] = {"Inc", "LLC", "Corp", "Group", "Industries", "Labs", "Holdings, Ltd."};
const char* kTitles[] = {"CEO", "CTO", "VP Sales", "Head of Ops", "Founder", "Manager", "Director, Marketing", ""};
const int kAreaCodes[] = {212, 415, 312, 617, 646, 213, 305, 404, 503, 206, 720, 512, 702, 919, 801};

template <typename T, size_t N>
const T& pick(std::mt19937& rng, const T (&items)[N]) {
  return items[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

std::string csvField(const std::string& value) {
  if (value.find_first_of(",\"\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string phone(std::mt19937& rng) {
  const int area = pick(rng, kAreaCodes);
  const int exchange = std::uniform_int_distribution<int>(200, 999)(rng);
  const int line = std::uniform_int_distribution<int>(0, 9999)(rng);
  char buffer[64];
  // A US sales list: mostly US numbers in every written shape, 2% abroad.
  if (std::bernoulli_distribution(0.02)(rng)) {
    std::snprintf(buffer, sizeof buffer, "+44 20 7%03d %04d", exchange, line);
    return buffer;
  }
  switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
    case 0: std::snprintf(buffer, sizeof buffer, "(%d) %03d-%04d", area, exchange, line); break;
    case 1: std::snprintf(buffer, sizeof buffer, "%d-%03d-%04d", area, exchange, line); break;
    case 2: std::snprintf(buffer, sizeof buffer, "+1 %d %03d %04d", area, exchange, line); break;
    case 3: std::snprintf(buffer, sizeof buffer, "+1%d%03d%04d", area, exchange, line); break;
    case 4: std::snprintf(buffer, sizeof buffer, "%d.%03d.%04d", area, exchange, line); break;
    default: std::snprintf(buffer, sizeof buffer, "1-%d-%03d-%04d x%d", area, exchange, line, line % 100);
  }
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s ROWS OUT.csv [BAD_PERCENT=1] [SEED=42]\n", argv[0]);
    return 2;
  }
  const long rows = std::strtol(argv[1], nullptr, 10);
  const double badPercent = argc > 3 ? std::strtod(argv[3], nullptr) : 1.0;
  std::mt19937 rng(argc > 4 ? static_cast<unsigned>(std::strtoul(argv[4], nullptr, 10)) : 42u);
  std::FILE* out = std::fopen(argv[2], "w");
  if (out == nullptr) {
    std::perror(argv[2]);
    return 1;
  }
  std::bernoulli_distribution bad(badPercent / 100.0);
  std::fputs("name,company,phone,title,email,region\n", out);
  for (long i = 0; i < rows; ++i) {
    const std::string first = pick(rng, kFirst);
    const std::string last = pick(rng, kLast);
    std::string name = first + " " + last;
    std::string number = phone(rng);
    if (bad(rng)) {
      if (rng() % 2 == 0) {
        name.clear();
      } else {
        number = "12-34";
      }
    }
    const std::string company = std::string(pick(rng, kCompanyA)) + " " + pick(rng, kCompanyB);
    std::string email = first + "." + last + std::to_string(i) + "@example.com";
    std::fprintf(out, "%s,%s,%s,%s,%s,%s\n", csvField(name).c_str(), csvField(company).c_str(),
                 csvField(number).c_str(), csvField(pick(rng, kTitles)).c_str(), csvField(email).c_str(),
                 i % 3 == 0 ? "East" : "West");
  }
  std::fclose(out);
  return 0;
}
