// bench_summary RESULTS.json: the ratios of one benchmark run, as a Markdown
// table and a list of the targets with their status. Ratios are of throughput
// (elements per second) within that one run; with --benchmark_repetitions the
// medians are used.
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cliff_cases.hpp"

namespace {

std::map<std::string, double> throughput(const nlohmann::json& results) {
    std::map<std::string, double> plain, median;
    for (const auto& b : results.at("benchmarks")) {
        if (!b.contains("items_per_second")) continue;
        const std::string name = b.at("run_name");
        const double v = b.at("items_per_second");
        if (b.value("run_type", "") == "aggregate") {
            if (b.value("aggregate_name", "") == "median") median[name] = v;
        } else {
            plain[name] = v;  // with repetitions, this keeps the last; medians override below
        }
    }
    for (const auto& [k, v] : median) plain[k] = v;
    return plain;
}

double ratio(const std::map<std::string, double>& t, const std::string& a, const std::string& b) {
    const auto ia = t.find(a), ib = t.find(b);
    return (ia == t.end() || ib == t.end() || ib->second == 0) ? 0.0 : ia->second / ib->second;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_summary RESULTS.json (from bench_fusion --benchmark_format=json)\n");
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::fprintf(stderr, "bench_summary: cannot read %s\n", argv[1]);
        return 2;
    }
    const auto results = nlohmann::json::parse(in);
    const auto t = throughput(results);
    std::map<std::string, std::string> labels;  // the implementation a peer library chose, where it says
    for (const auto& b : results.at("benchmarks"))
        if (b.contains("label")) labels[b.at("run_name").get<std::string>()] = b.at("label").get<std::string>();

    // Every size the run measured (the last part of a name), smallest first.
    std::set<long> sizes;
    for (const auto& [name, value] : t) sizes.insert(std::stol(name.substr(name.rfind('/') + 1)));
    const char* activations[] = {"silu", "gelu_tanh", "mish"};
    for (const long size : sizes) {
        const std::string n = std::to_string(size);
        if (!t.count("forward/silu/xtensor_lazy/" + n)) continue;  // not a bench_fusion size
        std::printf("\n### %s elements, float, one thread: Gelem/s (ratio fused / variant)\n\n", n.c_str());
        std::printf("| pass | activation | fused | unfused | unfused_alloc | xtensor_lazy |\n|---|---|---|---|---|---|\n");
        for (const std::string pass : {"forward", "backward"}) {
            for (const std::string a : activations) {
                const std::string stem = pass + "/" + a + "/";
                const double fused = t.count(stem + "fused/" + n) ? t.at(stem + "fused/" + n) : 0;
                std::printf("| %s | %s | %.2f |", pass.c_str(), a.c_str(), fused / 1e9);
                for (const std::string v : {"unfused", "unfused_alloc", "xtensor_lazy"}) {
                    const std::string key = stem + v + "/" + n;
                    std::printf(" %.2f (%.2fx) |", t.count(key) ? t.at(key) / 1e9 : 0.0, ratio(t, stem + "fused/" + n, key));
                }
                std::printf("\n");
            }
        }
        // A fused pass costs at least its backward pass, so fused / two_kernels stays
        // below (1/forward + 1/backward) / (1/backward) = 1 + backward / forward.
        std::printf("\n| activation | forward_backward fused | unfused | two_kernels | fused / two_kernels | bound: 1 + backward / forward |\n"
                    "|---|---|---|---|---|---|\n");
        for (const std::string a : activations) {
            const std::string fb = "forward_backward/" + a + "/fused/" + n;
            const std::string un = "forward_backward/" + a + "/unfused/" + n;
            const std::string tk = "two_kernels/" + a + "/fused/" + n;
            std::printf("| %s | %.2f | %.2f | %.2f | %.2fx | %.2fx |\n", a.c_str(), t.count(fb) ? t.at(fb) / 1e9 : 0.0,
                        t.count(un) ? t.at(un) / 1e9 : 0.0, t.count(tk) ? t.at(tk) / 1e9 : 0.0, ratio(t, fb, tk),
                        1 + ratio(t, "backward/" + a + "/fused/" + n, "forward/" + a + "/fused/" + n));
        }
        if (t.count("forward/silu/fused_2_threads/" + n)) {
            std::printf("\n| pass | activation | 1 thread | 2 threads | speed-up |\n|---|---|---|---|---|\n");
            for (const std::string pass : {"forward", "backward"})
                for (const std::string a : activations) {
                    const std::string one = pass + "/" + a + "/fused/" + n, two = pass + "/" + a + "/fused_2_threads/" + n;
                    std::printf("| %s | %s | %.2f | %.2f | %.2fx |\n", pass.c_str(), a.c_str(), t.count(one) ? t.at(one) / 1e9 : 0.0,
                                t.count(two) ? t.at(two) / 1e9 : 0.0, ratio(t, two, one));
                }
        }
        std::printf("\nmemcpy roofline: %.2f Gelem/s; forward silu fused reaches %.2fx of it\n",
                    t.count("roofline/memcpy/" + n) ? t.at("roofline/memcpy/" + n) / 1e9 : 0.0,
                    ratio(t, "forward/silu/fused/" + n, "roofline/memcpy/" + n));
        if (t.count("roofline/three_arrays/" + n) && t.count("floor/exp/" + n))
            std::printf("\nFor scale: dx = dy x, a backward pass's traffic with no arithmetic, %.2f Gelem/s (%.2fx memcpy's "
                        "2/3); y = exp(x), one exp per element, %.2f Gelem/s.\n",
                        t.at("roofline/three_arrays/" + n) / 1e9, ratio(t, "roofline/three_arrays/" + n, "roofline/memcpy/" + n) * 1.5,
                        t.at("floor/exp/" + n) / 1e9);
    }

    // bench_softmax: 256 x 1024 along the last axis and its transpose along the first.
    const std::string sm = "262144";
    const bool softmax_run = t.count("forward/softmax_last/fused/" + sm) != 0;
    if (softmax_run) {
        std::printf("\n### Softmax family, 262144 elements (256 rows of 1024), float, one thread unless a column says: Gelem/s\n\n");
        std::printf("(memcpy: %.2f Gelem/s; y = exp(x) alone: %.2f Gelem/s.)\n\n", t.count("roofline/memcpy/" + sm) ? t.at("roofline/memcpy/" + sm) / 1e9 : 0.0,
                    t.count("floor/exp/" + sm) ? t.at("floor/exp/" + sm) / 1e9 : 0.0);
        std::printf("| pass | op, axis | fused | unfused | fused / unfused | oneDNN | fused / oneDNN | fused / memcpy | fused, 2 threads | speed-up |\n"
                    "|---|---|---|---|---|---|---|---|---|---|\n");
        for (const std::string pass : {"forward", "backward"})
            for (const std::string op : {"softmax_last", "softmax_first", "log_softmax_last", "log_softmax_first"}) {
                const std::string stem = pass + "/" + op + "/";
                const std::string f = stem + "fused/" + sm, u = stem + "unfused/" + sm, f2 = stem + "fused_2_threads/" + sm, o = stem + "onednn/" + sm;
                std::printf("| %s | %s | %.2f | %.2f | %.2fx | %.2f | %.2fx | %.2fx | %.2f | %.2fx |\n", pass.c_str(), op.c_str(), t.count(f) ? t.at(f) / 1e9 : 0.0,
                            t.count(u) ? t.at(u) / 1e9 : 0.0, ratio(t, f, u), t.count(o) ? t.at(o) / 1e9 : 0.0, ratio(t, f, o),
                            ratio(t, f, "roofline/memcpy/" + sm), t.count(f2) ? t.at(f2) / 1e9 : 0.0, ratio(t, f2, f));
            }
        for (const std::string op : {"softmax_first", "log_softmax_first"})
            if (const auto l = labels.find("forward/" + op + "/onednn/" + sm); l != labels.end() && l->second.rfind("ref", 0) == 0)
                std::printf("\n%s: oneDNN ran its reference implementation (%s), not a JIT kernel.\n", op.c_str(), l->second.c_str());
    }

    // bench_catalog (or bench_fusion) with PyTorch and oneDNN side by side: every
    // activation ours and at least one of them ran.
    const std::string cn = "262144";
    const auto g = [&](const std::string& k) { return t.count(k) ? t.at(k) / 1e9 : 0.0; };
    std::vector<std::string> with_peers;
    for (const auto& [name, value] : t) {
        const std::string stem = "forward/";
        for (const std::string peer : {"pytorch", "onednn"}) {
            const std::string tail = "/" + peer + "/" + cn;
            if (name.rfind(stem, 0) != 0 || name.size() <= stem.size() + tail.size() ||
                name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
                continue;
            const std::string a = name.substr(stem.size(), name.size() - stem.size() - tail.size());
            if (a.find("softmax") != std::string::npos) continue;  // the softmax family's table is above
            if (t.count("forward/" + a + "/fused/" + cn) && (with_peers.empty() || with_peers.back() != a)) with_peers.push_back(a);
        }
    }
    // Ours against theirs: backward from y where we have that form (PyTorch's sigmoid and
    // tanh read y too); oneDNN's backward is the faster of its forms from x and from y.
    const auto our_backward = [&](const std::string& a) {
        const std::string y = "backward/" + a + "/fused_from_output/" + cn;
        return t.count(y) ? y : "backward/" + a + "/fused/" + cn;
    };
    const auto onednn = [&](const std::string& pass, const std::string& a) {
        const std::string x = pass + "/" + a + "/onednn/" + cn, y = pass + "/" + a + "/onednn_from_output/" + cn;
        return g(y) > g(x) ? y : x;
    };
    // The faster of PyTorch and oneDNN: the peer a target compares with.
    const auto best_peer = [&](const std::string& pass, const std::string& a) {
        const std::string p = pass + "/" + a + "/pytorch/" + cn, o = onednn(pass, a);
        return g(o) > g(p) ? o : p;
    };
    const double roof = g("roofline/memcpy/" + cn);
    if (!with_peers.empty()) {
        std::printf("\n### Against PyTorch and oneDNN in the same run, 262144 elements, float, one thread: Gelem/s\n\n");
        std::printf("(memcpy: %.2f Gelem/s; a backward pass moves 3 arrays to memcpy's 2. * = backward from the output y. "
                    "Ratios: ours / the faster of the two; 0.00 = not in that library.)\n\n", roof);
        std::printf("| activation | forward ours | PyTorch | oneDNN | ours / faster | backward ours | PyTorch | oneDNN | ours / faster |\n"
                    "|---|---|---|---|---|---|---|---|---|\n");
        for (const auto& a : with_peers) {
            const std::string ff = "forward/" + a + "/fused/" + cn, bf = our_backward(a), ob = onednn("backward", a);
            std::printf("| %s | %.2f | %.2f | %.2f | %.2fx | %.2f%s | %.2f | %.2f%s | %.2fx |\n", a.c_str(), g(ff), g("forward/" + a + "/pytorch/" + cn),
                        g("forward/" + a + "/onednn/" + cn), ratio(t, ff, best_peer("forward", a)), g(bf),
                        bf.find("from_output") != std::string::npos ? "*" : "", g("backward/" + a + "/pytorch/" + cn), g(ob),
                        ob.find("from_output") != std::string::npos ? "*" : "", ratio(t, bf, best_peer("backward", a)));
        }
    }

    // The far tail: every lane fails the fast plan's guard.
    for (const std::string a : {"silu", "sigmoid"}) {
        const std::string tail = "forward/" + a + "/fused_far_tail/" + cn, ordinary = "forward/" + a + "/fused/" + cn;
        if (t.count(tail) && t.count(ordinary))
            std::printf("\n%s forward over inputs in [-87, -81] (the exact plan alone): %.2f Gelem/s, %.2fx of [-8, 8]'s.\n", a.c_str(),
                        g(tail), ratio(t, tail, ordinary));
    }

    // bench_catalog's cliff family: each activation over inputs past its thresholds, NaN,
    // +-inf and a mix, against the same pass over [-8, 8].
    std::vector<std::string> cliff_activations;
    for (const auto& [name, value] : t)
        if (name.rfind("cliff/", 0) == 0) {
            const std::string a = name.substr(6, name.find('/', 6) - 6);
            if (cliff_activations.empty() || cliff_activations.back() != a) cliff_activations.push_back(a);
        }
    using bench::cliff_cases;
    // The slowest case of one pass: its ratio to [-8, 8]'s speed, and its name.
    const auto slowest = [&](const std::string& a, const std::string& pass) {
        std::pair<double, std::string> worst{0.0, ""};
        for (const std::string c : cliff_cases) {
            const double r = ratio(t, "cliff/" + a + "/" + c + "/" + pass + "/" + cn, pass + "/" + a + "/fused/" + cn);
            if (r > 0 && (worst.second.empty() || r < worst.first)) worst = {r, c};
        }
        return worst;
    };
    if (!cliff_activations.empty()) {
        std::printf("\n### Cliffs, 262144 elements, float, one thread: speed on each case / speed on [-8, 8]\n\n");
        std::printf("(below_80, above_80: |x| = 80 * 2^u, u uniform in [0, 8]; inf: +-inf; mix: each element from the other "
                    "four cases and [-8, 8].)\n\n");
        std::printf("| activation | pass | [-8, 8] Gelem/s | below_80 | above_80 | nan | inf | mix |\n|---|---|---|---|---|---|---|---|\n");
        for (const auto& a : cliff_activations)
            for (const std::string pass : {"forward", "backward"}) {
                const std::string ordinary = pass + "/" + a + "/fused/" + cn;
                std::printf("| %s | %s | %.2f |", a.c_str(), pass.c_str(), g(ordinary));
                for (const std::string c : cliff_cases) std::printf(" %.2fx |", ratio(t, "cliff/" + a + "/" + c + "/" + pass + "/" + cn, ordinary));
                std::printf("\n");
            }
    }

    struct target {
        std::string what;
        double value, goal;
        double of_roofline = -1;  // where the goal is also met at >= 0.9x the memory roofline
        std::string bound = {};   // what limits the figure, measured in the same run
    };
    const auto gelem = [](double v) { return std::to_string(v / 1e9).substr(0, 4) + " Gelem/s"; };
    std::vector<target> targets;
    if (t.count("forward/silu/xtensor_lazy/262144")) {
        // The core issue's fusion target, then the performance issue's (single thread, float).
        targets.push_back({"262144: forward gelu_tanh fused / unfused", ratio(t, "forward/gelu_tanh/fused/262144", "forward/gelu_tanh/unfused/262144"), 3.0});
        for (const auto& [a, lazy_goal] : {std::pair{"silu", 1.2}, std::pair{"gelu_tanh", 2.0}, std::pair{"mish", 4.0}}) {
            const std::string s = a;
            targets.push_back({"262144: forward " + s + " fused / xtensor_lazy", ratio(t, "forward/" + s + "/fused/262144", "forward/" + s + "/xtensor_lazy/262144"), lazy_goal});
        }
        for (const std::string a : {"silu", "gelu_tanh", "mish"})
            targets.push_back({"262144: " + a + " forward_backward fused / two_kernels", ratio(t, "forward_backward/" + a + "/fused/262144", "two_kernels/" + a + "/fused/262144"), 1.6, -1,
                               "1 + backward / forward = " + std::to_string(1 + ratio(t, "backward/" + a + "/fused/262144", "forward/" + a + "/fused/262144")).substr(0, 4) + "x"});
        for (const std::string a : {"silu", "gelu_tanh", "mish"})
            targets.push_back({"16777216: forward " + a + " fused / memcpy roofline", ratio(t, "forward/" + a + "/fused/16777216", "roofline/memcpy/16777216"), 0.85});
    }
    if (softmax_run) {
        for (const std::string pass : {"forward", "backward"})
            for (const std::string layout : {"last", "first"}) {
                const std::string stem = pass + "/softmax_" + layout + "/";
                targets.push_back({"softmax " + pass + ", " + layout + " axis: fused / unfused", ratio(t, stem + "fused/" + sm, stem + "unfused/" + sm), 2.0});
            }
        // 0.5x memcpy against what one exp per element costs on its own.
        const std::string exp_floor = t.count("floor/exp/" + sm) ? "0.5x memcpy is " + gelem(t.at("roofline/memcpy/" + sm) / 2) + "; y = exp(x) alone " + gelem(t.at("floor/exp/" + sm)) : "";
        for (const std::string pass : {"forward", "backward"})
            for (const std::string op : {"softmax_last", "log_softmax_last"}) {
                const std::string stem = pass + "/" + op + "/";
                if (t.count(stem + "onednn/" + sm))
                    targets.push_back({sm + ": " + pass + " " + op + " / oneDNN", ratio(t, stem + "fused/" + sm, stem + "onednn/" + sm), 1.2,
                                       pass == "forward" ? ratio(t, stem + "fused/" + sm, "roofline/memcpy/" + sm) : -1});
            }
        targets.push_back({"softmax forward, last axis: fused / memcpy roofline", ratio(t, "forward/softmax_last/fused/" + sm, "roofline/memcpy/" + sm), 0.5, -1, exp_floor});
        targets.push_back({"softmax forward, first axis: fused / memcpy roofline", ratio(t, "forward/softmax_first/fused/" + sm, "roofline/memcpy/" + sm), 0.5, -1, exp_floor});
    }
    // >= 1.2x the faster of PyTorch and oneDNN, forward and backward, or within 0.9x of
    // the memory roofline (relu at 11 Gelem/s cannot be 1.2x a peer that copies as fast).
    for (const auto& a : with_peers) {
        const std::string ff = "forward/" + a + "/fused/" + cn, bf = our_backward(a);
        // The memory bound: memcpy for a forward pass, dx = dy x for a backward one.
        const double three = g("roofline/three_arrays/" + cn);
        const auto of_roof = [&](const std::string& k, double arrays) {
            if (arrays == 3 && three > 0) return g(k) / three;
            return roof > 0 ? g(k) * arrays / 2 / roof : -1;
        };
        const std::string fp = best_peer("forward", a), bp = best_peer("backward", a);
        const auto peer_name = [](const std::string& k) { return k.find("onednn") != std::string::npos ? "oneDNN" : "PyTorch"; };
        // Where missed, what the goal asks next to a measured floor: one exp per element
        // (forward), the same traffic with no arithmetic (backward).
        const std::string forward_bound = t.count("floor/exp/" + cn) && t.count(fp) ? "1.2x " + std::string(peer_name(fp)) + " is " + gelem(1.2 * t.at(fp)) + "; y = exp(x) alone " + gelem(t.at("floor/exp/" + cn)) : "";
        const std::string backward_bound = t.count("roofline/three_arrays/" + cn) && t.count(bp) ? "1.2x " + std::string(peer_name(bp)) + " is " + gelem(1.2 * t.at(bp)) + "; dx = dy x " + gelem(t.at("roofline/three_arrays/" + cn)) : "";
        targets.push_back({cn + ": forward " + a + " / " + peer_name(fp), ratio(t, ff, fp), 1.2, of_roof(ff, 2), forward_bound});
        targets.push_back({cn + ": backward " + a + " / " + peer_name(bp), ratio(t, bf, bp), 1.2, of_roof(bf, 3), backward_bound});
    }
    // No cliffs: every case within 1.3x of [-8, 8]'s time, one line per activation.
    for (const auto& a : cliff_activations) {
        const auto f = slowest(a, "forward"), b = slowest(a, "backward");
        const auto& w = f.first <= b.first ? f : b;
        targets.push_back({cn + ": cliff " + a + ", slowest case / [-8, 8]", w.first, 1 / 1.3, -1,
                           (&w == &f ? "forward " : "backward ") + w.second});
    }
    std::printf("\n### Targets (this run)\n\n| target | measured | goal | | bound, where missed |\n|---|---|---|---|---|\n");
    for (const auto& x : targets) {
        const bool roofline_met = x.of_roofline >= 0.9;
        std::string status = x.value == 0 ? "not run" : x.value >= x.goal ? "met" : roofline_met ? "met: memory-bound" : "MISSED";
        char goal_text[32];
        std::snprintf(goal_text, sizeof goal_text, ">= %.2fx", x.goal);
        std::string goal = goal_text;
        if (x.of_roofline >= 0) goal += " or >= 0.9x roofline (" + std::to_string(x.of_roofline).substr(0, 4) + "x)";
        std::printf("| %s | %.2fx | %s | %s | %s |\n", x.what.c_str(), x.value, goal.c_str(), status.c_str(), status == "MISSED" ? x.bound.c_str() : "");
    }
    return 0;
}
