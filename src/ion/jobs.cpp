// Job control: the job table, the terminal's foreground process group, and
// the builtins jobs, fg, bg, wait and disown.
//
// With job control on (an interactive shell on a terminal), each pipeline of
// programs runs in a process group of its own. A foreground job holds the
// terminal, so ^C and ^Z reach it and not the shell; when it stops, it joins
// the table as a stopped job, and `fg`/`bg` continue it with SIGCONT.
// Without job control (scripts, `-c`), `&` jobs share the shell's group and
// `wait`/`fg` only wait for them.
#include "ion/builtins.h"
#include "ion/number.h"

#include <algorithm>
#include <csignal>

namespace ion {

bool Interp::enable_job_control() {
    auto fg = os.foreground_group(0);
    if (!fg) return false;
    previous_terminal_pgid = *fg;
    // A login shell usually leads its group already; anything else (a shell
    // started from another shell's job) moves into a group of its own.
    if (os.pgid() != os.pid()) (void)os.become_group_leader();
    shell_pgid = os.pgid();
    if (!os.set_foreground_group(0, shell_pgid)) return false;
    job_control = true;
    return true;
}

void Interp::take_terminal() {
    if (job_control) (void)os.set_foreground_group(0, shell_pgid);
}

void Interp::release_terminal() {
    if (job_control && previous_terminal_pgid > 0 && previous_terminal_pgid != shell_pgid)
        (void)os.set_foreground_group(0, previous_terminal_pgid);
}

Job& Interp::add_job(Job job) {
    int id = 0;
    while (std::any_of(jobs.begin(), jobs.end(), [&](const Job& j) { return j.id == id; })) ++id;
    job.id = id;
    auto at = std::lower_bound(jobs.begin(), jobs.end(), id, [](const Job& j, int v) { return j.id < v; });
    return *jobs.insert(at, std::move(job));
}

std::vector<int> Interp::wait_foreground(Job job, bool* stopped) {
    std::vector<int> statuses;
    for (size_t k = 0; k < job.pids.size(); ++k) {
        auto r = os.wait_job(job.pids[k], true);
        if (r && r->state == JobStatus::Stopped) {
            // ^Z stopped the whole group: the rest of the pipeline stays with the job.
            take_terminal();
            job.pids.erase(job.pids.begin(), job.pids.begin() + long(k));
            job.stopped = true;
            Job& j = add_job(std::move(job));
            std_err.write("\nion: ([" + std::to_string(j.id) + "] " + std::to_string(j.leader) + ") Stopped\n");
            statuses.push_back(128 + r->status);
            if (stopped) *stopped = true;
            return statuses;
        }
        statuses.push_back(r ? r->status : 1);
    }
    take_terminal();
    return statuses;
}

void Interp::report_jobs() {
    for (size_t k = 0; k < jobs.size();) {
        Job& j = jobs[k];
        bool stopped_now = false;
        for (size_t p = 0; p < j.pids.size();) {
            auto r = os.wait_job(j.pids[p], false);
            if (!r || r->state == JobStatus::Exited) {
                if (p + 1 == j.pids.size()) j.status = r ? r->status : 1;
                j.pids.erase(j.pids.begin() + long(p));
                continue;
            }
            if (r->state == JobStatus::Stopped && !j.stopped) stopped_now = true;
            ++p;
        }
        std::string tag = "ion: ([" + std::to_string(j.id) + "] " + std::to_string(j.leader) + ") ";
        if (j.pids.empty()) {
            std_err.write(tag + "exited with " + std::to_string(j.status) + "\n");
            jobs.erase(jobs.begin() + long(k));
            continue;
        }
        if (stopped_now) {
            j.stopped = true;
            std_err.write(tag + "Stopped\n");
        }
        ++k;
    }
}

void Interp::hang_up_jobs() {
    for (auto& j : jobs) {
        for (int sig : {SIGTERM, SIGCONT}) {
            if (j.pgid > 0) (void)os.kill(-j.pgid, sig);
            else
                for (int pid : j.pids) (void)os.kill(pid, sig);
        }
    }
}

namespace {

void continue_job(Interp& in, Job& j) {
    if (j.pgid > 0) (void)in.os.kill(-j.pgid, SIGCONT);
    else
        for (int pid : j.pids) (void)in.os.kill(pid, SIGCONT);
    j.stopped = false;
}

// The job an argument names (its number), or the most recent one; nullptr
// after writing why not.
Job* pick_job(Interp& in, const char* builtin, Args args, Io& io) {
    if (in.jobs.empty()) {
        io.err->write(std::string("ion: ") + builtin + ": no jobs\n");
        return nullptr;
    }
    if (args.size() < 2) return &in.jobs.back();
    std::string a = args[1];
    if (a.starts_with('%')) a.erase(0, 1);
    auto n = parse_number(a);
    if (n && !n->is_float)
        for (auto& j : in.jobs)
            if (j.id == n->i) return &j;
    io.err->write(std::string("ion: ") + builtin + ": no such job: " + args[1] + "\n");
    return nullptr;
}

int b_jobs(Interp& in, Args, Io& io) {
    for (auto& j : in.jobs)
        io.out->write("[" + std::to_string(j.id) + "] " + std::to_string(j.leader) + " " +
                      (j.stopped ? "Stopped" : "Running") + "\t" + j.command + "\n");
    return 0;
}

int b_fg(Interp& in, Args args, Io& io) {
    Job* j = pick_job(in, "fg", args, io);
    if (!j) return 1;
    io.out->write(j->command + "\n");
    Job job = std::move(*j);
    in.jobs.erase(in.jobs.begin() + (j - in.jobs.data()));
    if (in.job_control && job.pgid > 0) (void)in.os.set_foreground_group(0, job.pgid);
    continue_job(in, job);
    auto st = in.wait_foreground(std::move(job));
    return st.empty() ? 0 : st.back();
}

int b_bg(Interp& in, Args args, Io& io) {
    Job* j = pick_job(in, "bg", args, io);
    if (!j) return 1;
    if (!j->stopped) {
        io.err->write("ion: bg: job " + std::to_string(j->id) + " is already running\n");
        return 1;
    }
    continue_job(in, *j);
    io.err->write("ion: bg [" + std::to_string(j->id) + "] " + std::to_string(j->leader) + "\n");
    return 0;
}

int b_wait(Interp& in, Args, Io&) {
    int st = 0;
    for (size_t k = 0; k < in.jobs.size();) {
        Job& j = in.jobs[k];
        if (j.stopped) {
            ++k;
            continue;
        }
        bool stopped = false;
        while (!j.pids.empty()) {
            in.check_interrupt();
            auto r = in.os.wait_job(j.pids.front(), true);
            if (r && r->state == JobStatus::Stopped) {
                stopped = j.stopped = true;
                break;
            }
            st = r ? r->status : 1;
            j.pids.erase(j.pids.begin());
        }
        if (stopped) ++k;
        else in.jobs.erase(in.jobs.begin() + long(k));
    }
    return st;
}

int b_disown(Interp& in, Args args, Io& io) {
    bool all = false, running = false;
    std::vector<int> ids;
    for (size_t k = 1; k < args.size(); ++k) {
        const std::string& a = args[k];
        if (a == "-a") all = true;
        else if (a == "-r") running = true;
        else if (a == "-h") continue;  // no SIGHUP is sent to jobs at exit anyway
        else {
            auto n = parse_number(a.starts_with('%') ? a.substr(1) : a);
            if (!n || n->is_float) {
                io.err->write("ion: disown: invalid job id: " + a + "\n");
                return 1;
            }
            ids.push_back(int(n->i));
        }
    }
    if (ids.empty() && !all && !running) {
        io.err->write("ion: disown: no job given (a job id, -a or -r)\n");
        return 1;
    }
    int status = 0;
    for (int id : ids)
        if (std::none_of(in.jobs.begin(), in.jobs.end(), [&](const Job& j) { return j.id == id; })) {
            io.err->write("ion: disown: no such job: " + std::to_string(id) + "\n");
            status = 1;
        }
    std::erase_if(in.jobs, [&](const Job& j) {
        if (std::find(ids.begin(), ids.end(), j.id) != ids.end()) return true;
        if (!ids.empty()) return false;
        return all || (running && !j.stopped);
    });
    return status;
}

}  // namespace

void register_job_builtins(Interp& in) {
    add_builtin(in, "jobs", b_jobs, "list the background and stopped jobs");
    add_builtin(in, "fg", b_fg, "continue a job in the foreground [JOB]");
    add_builtin(in, "bg", b_bg, "continue a stopped job in the background [JOB]");
    add_builtin(in, "wait", b_wait, "wait for the background jobs");
    add_builtin(in, "disown", b_disown, "forget jobs [-a all, -r running, -h] [JOB...]");
}

}  // namespace ion
