// Pipelines: && / || chains, aliases, stages run in-process (builtins and
// functions, no fork) or as programs through the Os, with pipes, in-memory
// hand-over between stages, and redirections.
#include "ion/host_os.h"
#include "ion/interp.h"
#include "ion/parser.h"
#include "ion/text.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace ion {

namespace {

struct Stage {
    const Command* cmd = nullptr;
    std::vector<std::string> argv;
    std::vector<Expanded> expanded;  // per word, for typed function arguments
    const FnDef* fn = nullptr;
    size_t fn_scope = 0;
    BuiltinEntry* builtin = nullptr;
    bool external() const { return !fn && !builtin; }
};

// Restores the environment variables set by `NAME=value cmd`.
struct TempEnv {
    Os& os;
    std::vector<std::pair<std::string, std::optional<std::string>>> saved;
    explicit TempEnv(Os& o) : os(o) {}
    void set(const std::string& name, const std::string& value) {
        const char* old = os.getenv(name);
        saved.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
        os.setenv(name, value);
    }
    ~TempEnv() {
        for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
            if (it->second) os.setenv(it->first, *it->second);
            else os.unsetenv(it->first);
        }
    }
};

bool is_env_assignment(const std::string& w) {
    size_t eq = w.find('=');
    return eq != std::string::npos && eq > 0 && is_identifier(std::string_view(w).substr(0, eq));
}

std::string rebuild(const Chain& c, const std::map<std::string, std::string>& aliases, bool& changed) {
    std::string out;
    for (size_t k = 0; k < c.items.size(); ++k) {
        const Pipeline& p = c.items[k];
        if (k) out += c.ops[k - 1] == ChainOp::And ? " && " : " || ";
        if (p.negate) out += "not ";
        for (size_t j = 0; j < p.cmds.size(); ++j) {
            const Command& cmd = p.cmds[j];
            if (j) out += p.pipes[j - 1] == PipeKind::Out ? " | " : p.pipes[j - 1] == PipeKind::Err ? " ^| " : " &| ";
            for (size_t w = 0; w < cmd.words.size(); ++w) {
                if (w) out += ' ';
                auto it = w == 0 ? aliases.find(cmd.words[0]) : aliases.end();
                if (it != aliases.end()) {
                    out += it->second;
                    changed = true;
                } else {
                    out += cmd.words[w];
                }
            }
            for (auto& r : cmd.redirs) {
                static const char* ops[] = {">", ">>", "^>", "^>>", "&>", "&>>", "<", "<<<"};
                out += ' ';
                out += ops[int(r.kind)];
                out += ' ';
                out += r.target;
            }
        }
        if (p.background) out += p.disown ? " &!" : " &";
    }
    return out;
}

}  // namespace

int Interp::run_chain(const Chain& c, bool allow_alias) {
    if (opts.trace) std_err.write("> " + c.source + "\n");
    if (allow_alias && !aliases.empty()) {
        bool changed = false;
        std::string text = rebuild(c, aliases, changed);
        if (changed) {
            auto block = parse_cached(text);
            int st = status;
            for (auto& s : *block) {
                if (s.kind == Stmt::Run) st = run_chain(s.chain, false);
                else run_stmt(s);
            }
            return st;
        }
    }
    int st = status;
    for (size_t k = 0; k < c.items.size(); ++k) {
        // A leading `and`/`or` decides only the first pipeline; the rest of
        // the chain goes on from the status it leaves.
        if (k == 0 && c.prefix == ChainPrefix::And && st != 0) continue;
        if (k == 0 && c.prefix == ChainPrefix::Or && st == 0) continue;
        if (k > 0) {
            if (c.ops[k - 1] == ChainOp::And && st != 0) continue;
            if (c.ops[k - 1] == ChainOp::Or && st == 0) continue;
        }
        st = run_pipeline(c.items[k]);
        if (c.items[k].negate) st = st == 0 ? 1 : 0;
        status = st;
        if (flow != Flow::Normal) return st;
    }
    return st;
}

int Interp::run_pipeline(const Pipeline& p) {
    check_interrupt();
    TempEnv tmp_env(os);
    std::vector<Stage> stages(p.cmds.size());
    for (size_t k = 0; k < p.cmds.size(); ++k) {
        Stage& s = stages[k];
        s.cmd = &p.cmds[k];
        size_t w = 0;
        const auto& words = s.cmd->words;
        while (w + 1 < words.size() && is_env_assignment(words[w])) {
            size_t eq = words[w].find('=');
            tmp_env.set(words[w].substr(0, eq), expand_string(words[w].substr(eq + 1)));
            ++w;
        }
        size_t count = 0;
        const std::string* first = nullptr;
        for (; w < words.size(); ++w) {
            s.expanded.push_back(expand(words[w]));
            count += s.expanded.back().items.size();
            if (count > opts.max_array_len) throw Fatal{"expansion error: too many arguments"};
        }
        for (auto& e : s.expanded)
            if (!first && !e.items.empty()) first = &e.items.front();
        if (!first) continue;
        s.argv.reserve(count);
        // Functions see their arguments' words (typed parameters); anything
        // else needs only argv, so the items move there.
        if ((s.fn = find_fn(*first, &s.fn_scope))) {
            for (auto& e : s.expanded) s.argv.insert(s.argv.end(), e.items.begin(), e.items.end());
            continue;
        }
        for (auto& e : s.expanded)
            for (auto& item : e.items) s.argv.push_back(std::move(item));
        s.expanded.clear();
        const std::string& name = s.argv[0];
        auto it = builtins.find(name);
        if (it != builtins.end()) {
            s.builtin = &it->second;
            continue;
        }
        if (name.find('/') == std::string::npos) {
            const char* path = os.getenv("PATH");
            if (resolve_in_path(os, name, path ? path : "/usr/bin:/bin").empty())
                throw Fatal{"pipeline execution error: command not found: " + name};
        } else {
            FileStat st = os.stat(name);
            if (!st.exists || st.is_dir) throw Fatal{"pipeline execution error: command not found: " + name};
        }
    }

    // One builtin or function with the shell's own streams: no plumbing.
    if (stages.size() == 1 && !p.background && !stages[0].external() && stages[0].cmd->redirs.empty()) {
        Stage& s = stages[0];
        if (s.fn) return call_function(*s.fn, s.fn_scope, *s.cmd, s.expanded);
        return s.builtin->internal ? s.builtin->internal(*this, s.argv, io) : s.builtin->external(shell, s.argv, io);
    }

    std::vector<int> pids;       // spawned programs, in stage order
    bool jc = job_control && !journal;  // `$(..)` runs its programs in the shell's group
    int job_pgid = 0;
    std::vector<int> statuses(stages.size(), 0);
    std::vector<int> pid_stage;
    std::string data;            // output of the previous in-process stage
    bool have_data = false;
    OsFd prev_pipe;              // read end from the previous program
    std::vector<std::unique_ptr<Output>> outputs;
    std::vector<OsFd> files;

    for (size_t k = 0; k < stages.size(); ++k) {
        Stage& s = stages[k];
        bool last = k + 1 == stages.size();
        // ---- input
        bool has_in_redir = false;
        for (auto& r : s.cmd->redirs) has_in_redir |= r.kind == RedirKind::In || r.kind == RedirKind::HereString;
        if (has_in_redir) {
            std::string all;
            if (k > 0) {
                if (have_data) all = std::move(data);
                else if (prev_pipe) {
                    auto r = os.read_all(prev_pipe.get());
                    if (r) all = std::move(*r);
                    prev_pipe.reset();
                }
            }
            for (auto& r : s.cmd->redirs) {
                if (r.kind == RedirKind::HereString) {
                    all += expand_string(r.target) + "\n";
                } else if (r.kind == RedirKind::In) {
                    std::string path = expand_string(r.target);
                    auto fd = os.open(path, kRead);
                    if (!fd) {
                        report("pipeline execution error: failed to redirect stdin from file '" + path + "': " +
                               std::strerror(fd.error().errnum));
                        return status = 1;
                    }
                    OsFd g(os, *fd);
                    auto d = os.read_all(*fd);
                    if (d) all += *d;
                }
            }
            data = std::move(all);
            have_data = true;
        }
        Input in_obj;
        Input* in = io.in;
        if (have_data) {
            in_obj = Input::from_data(std::move(data));
            in = &in_obj;
        } else if (prev_pipe) {
            in_obj = Input::from_fd(os, prev_pipe.get());
            in = &in_obj;
        }
        have_data = false;
        data.clear();

        // ---- output
        Output* out = last ? io.out : nullptr;
        Output* err = io.err;
        for (auto& r : s.cmd->redirs) {
            int flags = 0;
            switch (r.kind) {
                case RedirKind::Out: case RedirKind::Err: case RedirKind::Both:
                    flags = kWrite | kCreate | kTruncate; break;
                case RedirKind::Append: case RedirKind::ErrAppend: case RedirKind::BothAppend:
                    flags = kWrite | kCreate | kAppend; break;
                default: continue;
            }
            std::string path = expand_string(r.target);
            auto fd = os.open(path, flags);
            if (!fd) {
                report("pipeline execution error: failed to redirect output into file '" + path + "': " +
                       std::strerror(fd.error().errnum));
                return status = 1;
            }
            files.emplace_back(os, *fd);
            outputs.push_back(std::make_unique<FdOutput>(os, *fd));
            Output* o = outputs.back().get();
            if (r.kind == RedirKind::Out || r.kind == RedirKind::Append) out = o;
            else if (r.kind == RedirKind::Err || r.kind == RedirKind::ErrAppend) err = o;
            else out = err = o;
        }
        PipeKind pk = last ? PipeKind::Out : p.pipes[k];
        bool next_external = !last && stages[k + 1].external() && !stages[k + 1].argv.empty();

        if (s.argv.empty()) {
            statuses[k] = 0;
            continue;
        }
        if (!s.external()) {
            StringOutput cap;
            Output* o = out;
            Output* e = err;
            if (!last) {
                if (pk == PipeKind::Out) o = &cap;
                else if (pk == PipeKind::Err) e = &cap;
                else o = e = &cap;
            }
            Io saved = io;
            io = Io{in, o, e};
            struct Restore {
                Interp& in;
                Io saved;
                ~Restore() { in.io = saved; }
            } restore{*this, saved};
            if (s.fn) {
                statuses[k] = call_function(*s.fn, s.fn_scope, *s.cmd, s.expanded);
            } else if (s.builtin->internal) {
                statuses[k] = s.builtin->internal(*this, s.argv, io);
            } else {
                statuses[k] = s.builtin->external(shell, s.argv, io);
            }
            prev_pipe.reset();
            if (!last) {
                data = std::move(cap.data());
                have_data = true;
            }
            if (flow == Flow::Exit) break;
            continue;
        }

        // ---- a program
        SpawnRequest req;
        req.argv = s.argv;
        req.env = os.environ();
        if (jc) req.pgid = job_pgid;  // the first program leads the job's group
        OsFd stdin_fd;
        if (in->in_memory()) {
            auto m = os.memory_file(in->read_all());
            if (!m) {
                report("pipeline execution error: " + m.error().message());
                return status = 1;
            }
            stdin_fd = OsFd(os, *m);
            req.stdio[0] = *m;
        } else {
            req.stdio[0] = in->fd() >= 0 ? in->fd() : 0;
        }
        OsFd capture_r, capture_w;
        auto need_pipe = [&]() -> bool {
            auto pp = os.pipe();
            if (!pp) {
                report("pipeline execution error: " + pp.error().message());
                return false;
            }
            capture_r = OsFd(os, pp->first);
            capture_w = OsFd(os, pp->second);
            return true;
        };
        bool read_back = false;  // collect this program's output into `data`
        StringOutput* cap_target = nullptr;
        if (last) {
            if (out->fd() >= 0 && err->fd() >= 0) {
                req.stdio[1] = out->fd();
                req.stdio[2] = err->fd();
            } else {
                if (!need_pipe()) return status = 1;
                req.stdio[1] = out->fd() >= 0 ? out->fd() : capture_w.get();
                req.stdio[2] = err->fd() >= 0 ? err->fd() : (err == out ? capture_w.get() : 2);
                cap_target = dynamic_cast<StringOutput*>(out->fd() >= 0 ? err : out);
                read_back = true;
            }
        } else {
            if (!need_pipe()) return status = 1;
            req.stdio[1] = out && out->fd() >= 0 ? out->fd() : (pk == PipeKind::Err ? (err->fd() >= 0 ? err->fd() : 1) : capture_w.get());
            req.stdio[2] = pk == PipeKind::Out ? (err->fd() >= 0 ? err->fd() : 2) : capture_w.get();
            read_back = !next_external;
        }
        auto pid = os.spawn(req);
        capture_w.reset();
        stdin_fd.reset();
        prev_pipe.reset();
        if (!pid) {
            if (pid.error().errnum == ENOENT) throw Fatal{"pipeline execution error: command not found: " + s.argv[0]};
            report("pipeline execution error: failed to start " + s.argv[0] + ": " + std::strerror(pid.error().errnum));
            statuses[k] = 127;
            continue;
        }
        pids.push_back(*pid);
        pid_stage.push_back(int(k));
        if (jc && job_pgid == 0) {
            job_pgid = *pid;
            if (!p.background) (void)os.set_foreground_group(0, job_pgid);
        }
        if (read_back && capture_r) {
            auto d = os.read_all(capture_r.get());
            capture_r.reset();
            if (cap_target) cap_target->write(d ? *d : "");
            else {
                data = d ? std::move(*d) : std::string();
                have_data = true;
            }
        } else if (!last) {
            prev_pipe = std::move(capture_r);
        }
    }
    prev_pipe.reset();
    Job job;
    job.pgid = jc ? job_pgid : 0;
    job.pids = pids;
    job.leader = pids.empty() ? 0 : pids.front();
    for (size_t k = 0; k < stages.size(); ++k) {
        if (!stages[k].external() || stages[k].argv.empty()) continue;
        if (!job.command.empty()) job.command += " | ";
        for (size_t w = 0; w < stages[k].argv.size(); ++w) job.command += (w ? " " : "") + stages[k].argv[w];
    }
    if (p.background) {
        if (pids.empty()) return 0;
        Job& j = add_job(std::move(job));
        if (jc) std_err.write("ion: bg [" + std::to_string(j.id) + "] " + std::to_string(j.leader) + "\n");
        if (p.disown) jobs.erase(std::find_if(jobs.begin(), jobs.end(), [&](const Job& x) { return &x == &j; }));
        return 0;
    }
    if (jc && !pids.empty()) {
        bool stopped = false;
        auto st = wait_foreground(std::move(job), &stopped);
        // A stopped pipeline's status is its stop (128 + SIGTSTP), as in POSIX shells.
        if (stopped) return st.back();
        for (size_t j = 0; j < st.size(); ++j) statuses[size_t(pid_stage[j])] = st[j];
    } else {
        for (size_t j = 0; j < pids.size(); ++j) {
            auto st = os.wait(pids[j]);
            statuses[size_t(pid_stage[j])] = st ? *st : 1;
        }
    }
    int result = statuses.empty() ? 0 : statuses.back();
    if (opts.pipe_fail) {
        for (int st : statuses) {
            if (st != 0) result = st;
        }
    }
    return result;
}

}  // namespace ion
