#include <switchboard/core/metrics/Metrics.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace sb::core {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    buckets_[i].store(0);
  }
}

void Histogram::observe(double value) noexcept {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) {
    ++i;
  }
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (value > 0) {
    sumMicros_.fetch_add(static_cast<uint64_t>(std::llround(value * 1e6)), std::memory_order_relaxed);
  }
}

std::vector<uint64_t> Histogram::counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  return out;
}

double Histogram::sum() const noexcept {
  return static_cast<double>(sumMicros_.load(std::memory_order_relaxed)) / 1e6;
}

const std::vector<double>& Metrics::latencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

const std::vector<double>& Metrics::durationBuckets() {
  static const std::vector<double> kBuckets = {5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200};
  return kBuckets;
}

std::string Metrics::renderLabels(const Labels& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    out += (out.empty() ? "" : ",") + name + "=\"";
    for (const char c : value) {
      if (c == '\\' || c == '"') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out;
}

Counter& Metrics::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  if (family.help.empty()) {
    family.help = help;
  } else if (family.histogram) {
    throw std::logic_error("metric " + name + " is a histogram");
  }
  auto& slot = family.counters[renderLabels(labels)];
  if (!slot) {
    slot = std::make_unique<Counter>();
  }
  return *slot;
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                              const Labels& labels) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  if (family.help.empty()) {
    family.help = help;
    family.histogram = true;
  } else if (!family.histogram) {
    throw std::logic_error("metric " + name + " is a counter");
  }
  auto& slot = family.histograms[renderLabels(labels)];
  if (!slot) {
    slot = std::make_unique<Histogram>(bounds);
  }
  return *slot;
}

std::string Metrics::render() const {
  std::ostringstream out;
  out.precision(10);
  std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) {
    out << "# HELP " << name << ' ' << family.help << '\n';
    out << "# TYPE " << name << (family.histogram ? " histogram" : " counter") << '\n';
    for (const auto& [labels, counter] : family.counters) {
      out << name << (labels.empty() ? "" : "{" + labels + "}") << ' ' << counter->value() << '\n';
    }
    for (const auto& [labels, histogram] : family.histograms) {
      const auto counts = histogram->counts();
      const std::string sep = labels.empty() ? "" : labels + ",";
      uint64_t cumulative = 0;
      for (size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        std::ostringstream le;
        le.precision(10);
        if (i < histogram->bounds().size()) {
          le << histogram->bounds()[i];
        } else {
          le << "+Inf";
        }
        out << name << "_bucket{" << sep << "le=\"" << le.str() << "\"} " << cumulative << '\n';
      }
      const std::string braces = labels.empty() ? "" : "{" + labels + "}";
      out << name << "_sum" << braces << ' ' << histogram->sum() << '\n';
      out << name << "_count" << braces << ' ' << cumulative << '\n';
    }
  }
  return out.str();
}

}  // namespace sb::core
