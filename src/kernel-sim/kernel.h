// The kernel-sim: one single-threaded Linux process that owns the process
// table, namespaces and fd tables, routes every call of every sim process to
// a scheme, and serves the kernel schemes itself. Sim processes are its Linux
// children; it talks to them only through their shared rings (shared.h).
#pragma once

#include "kernel-sim/scheme.h"
#include "kernel-sim/sim_control.h"
#include "schemes/shared.h"

#include <liburing.h>
#include <sys/signalfd.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

namespace redox::kernel {

struct Process;
struct DirectChannel;
class Namespaces;
class UserScheme;

struct BootOptions {
    std::vector<std::string> init_args;
    std::vector<std::string> init_env;
    // /scheme/initfs: path -> (host file path, or inline content when host is empty).
    struct InitfsFile {
        std::string host;
        std::string data;
        bool root_only = false;            // only uid 0 may open it (a disk password)
    };
    std::map<std::string, InitfsFile> initfs;
    int console_in = 0;                    // host fds of the console
    int console_out = 1;
    std::string log_file;                  // optional host file for the kernel log copy
    int log_level = 1;                     // 0 quiet, 1 info, 2 debug
    // The time and itimer schemes run on a simulated clock that jumps to the
    // next timer whenever every sim process is blocked.
    bool virtual_time = false;
    std::string trace_file;                // record every scheme call here (Tracer)
};

class Kernel {
public:
    static Result<std::unique_ptr<Kernel>> create(BootOptions opts);
    ~Kernel();

    // Start init (pid 1) from initfs `bin/init` with the console on fds 0-2.
    Result<void> start_init();
    // Runs until init exits or shutdown() is called. Returns init's raw
    // wait status (exit code << 8 | signal).
    int run();
    void shutdown(int status);
    bool running() const { return m_running; }

    // --- used by schemes and routing ---
    Process* process(uint32_t pid);
    // Whether a live process is in process group `pgid` (setpgid may join it).
    bool group_exists(uint32_t pgid) const;
    std::vector<Process*> processes();
    Namespaces& namespaces() { return *m_namespaces; }
    const BootOptions& options() const { return m_opts; }

    // Finish a request: run its done callback.
    void complete(std::unique_ptr<KRequest> req, const Cqe& cqe);
    void complete(std::unique_ptr<KRequest> req, Result<uint64_t> r);
    // Post a completion to a process's ring and wake it.
    void post(Process& p, const Cqe& cqe);
    // Wake a process's wait word at the end of this pass of the main loop.
    void wake_later(Process& p);

    // Copy between the kernel and a caller's address space (one copy).
    bool copy_from(uint32_t pid, uint64_t addr, void* dst, size_t len);
    bool copy_to(uint32_t pid, uint64_t addr, const void* src, size_t len);
    Result<std::string> read_string(uint32_t pid, uint64_t addr, size_t len, size_t max = 4096);

    // Readiness changed on a scheme's file: feed the event queues.
    void trigger(const Scheme* scheme, uint64_t number, uint32_t flags);
    struct EventSink {
        virtual ~EventSink() = default;
        virtual void on_event(Kernel& k, uint64_t token, uint32_t flags) = 0;
    };
    void subscribe(const Scheme* scheme, uint64_t number, std::weak_ptr<EventSink> sink, uint64_t token);
    void unsubscribe(const Scheme* scheme, uint64_t number, const EventSink* sink, uint64_t token);

    // Timers on the monotonic clock (ns). Returns an id for cancel_timer.
    uint64_t add_timer(uint64_t deadline_ns, std::function<void()> fn);
    void cancel_timer(uint64_t id);
    // One deadline on the host's clock, whatever the sim's clock is (boot
    // --timeout): fn runs once when real_ns() reaches it.
    void set_host_deadline(uint64_t real_deadline_ns, std::function<void()> fn);
    // The sim's clocks: real, or virtual with --virtual-time.
    uint64_t now_ns(int clock) const;
    // The host's monotonic clock, whatever the sim's clock is.
    static uint64_t real_ns();
    bool virtual_time() const { return m_opts.virtual_time; }
    // Move the virtual clock forward by ns (timers due by then fire).
    Result<void> advance_time(uint64_t ns);

    Faults& faults() { return m_faults; }
    Tracer& tracer() { return m_tracer; }
    uint64_t boot_real_ns() const { return m_boot_real_ns; }

    // The kernel log (`sys:log`, dmesg) and console output.
    void log(int level, std::string_view line);
    const std::string& log_text() const { return m_log; }
    void console_write(std::string_view data);
    int console_in() const { return m_opts.console_in; }
    int console_out() const { return m_opts.console_out; }
    // The process group of the last console reader: on a host terminal,
    // Ctrl-C goes to it (the foreground job of the console's shell) instead
    // of shutting the sim down.
    void note_console_reader(uint32_t pid);
    // Wait (in the main loop) until host fd is readable, then run fn once.
    // Returns an id for cancel_host_poll.
    uint64_t poll_host_fd(int fd, std::function<void()> fn);
    // Drop a poll that has not fired (its fd may be closed afterwards).
    void cancel_host_poll(uint64_t id);

    std::vector<std::shared_ptr<Scheme>> schemes() const { return m_all_schemes; }
    void add_scheme(std::shared_ptr<Scheme> s);
    uint64_t boot_ns() const { return m_boot_ns; }
    uint64_t calls_routed() const { return m_calls; }

    // Process lifecycle (spawn.cpp, process.cpp).
    Result<uint32_t> spawn(Process* parent, int exec_fd, const std::vector<std::string>& argv,
                           const std::vector<std::string>& env,
                           const std::vector<std::pair<int, int>>& fds, int64_t pgid);
    void signal(Process& target, int sig);
    void reap(Process& p, int status);
    void wake_waiters();
    // Learn from Linux which children stopped or continued (on SIGCHLD).
    void collect_stops();

    // Routing (routing.cpp): the one place where a call reaches a scheme.
    void dispatch(Process& p, const Sqe& sqe);

private:
    explicit Kernel(BootOptions opts);
    Result<void> init_io();
    bool drain_rings();
    bool rings_pending();
    void handle_uring(io_uring_cqe* cqe);
    void run_timers();
    void arm_pidfd(Process& p);
    void arm_bell();
    void arm_signals();
    void flush_wakes();
    std::vector<uint32_t> m_wakes;
    // Every sim process sleeps and no ring holds work: only a timer can
    // change anything now (virtual time jumps).
    bool quiescent();

    BootOptions m_opts;
    std::unique_ptr<Namespaces> m_namespaces;
    std::map<uint32_t, std::unique_ptr<Process>> m_procs;
    std::vector<std::shared_ptr<Scheme>> m_all_schemes;
    uint32_t m_next_pid = 1;
    GlobalShared* m_global = nullptr;
    int m_global_fd = -1;
    int m_bell_fd = -1;
    int m_signal_fd = -1;
    uint64_t m_bell_buf = 0;
    signalfd_siginfo m_sig_buf{};
    io_uring m_ring{};
    bool m_running = true;
    int m_exit_status = 0;
    uint32_t m_console_pgid = 0;
    bool interrupt_console();
    void console_resized();
    std::string m_log;
    uint64_t m_boot_ns = 0;
    uint64_t m_boot_real_ns = 0;
    uint64_t m_virtual_ns = 1'000'000'000;  // virtual CLOCK_MONOTONIC
    Faults m_faults;
    Tracer m_tracer;
    uint64_t m_calls = 0;

    struct Timer {
        uint64_t deadline;
        uint64_t id;
        bool operator>(const Timer& o) const { return deadline > o.deadline; }
    };
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> m_timer_heap;
    std::map<uint64_t, std::function<void()>> m_timers;
    uint64_t m_next_timer = 1;
    uint64_t m_host_deadline = 0;
    std::function<void()> m_host_deadline_fn;

    struct HostPoll {
        int fd;
        std::function<void()> fn;
    };
    std::map<uint64_t, HostPoll> m_host_polls;
    uint64_t m_next_poll = 1;

    struct Subscription {
        std::weak_ptr<EventSink> sink;
        uint64_t token;
    };
    std::map<std::pair<const Scheme*, uint64_t>, std::vector<Subscription>> m_subs;

public:
    // Parked waitpid calls: answered by wake_waiters() when a child changes state.
    struct Waiter {
        uint32_t pid;        // the waiting process
        uint32_t tid;        // its thread that waits (0: not known)
        uint32_t tag;
        int64_t target;      // -1 any child, > 0 that child, < -1 that group
        uint64_t status_addr;
        uint64_t serial;
        bool park = true;    // false for WNOHANG: answer now or not at all
        uint64_t options = 0; // WUNTRACED / WCONTINUED also report stops and continues
    };
private:
    std::vector<Waiter> m_waiters;
    uint64_t m_next_serial = 1;

public:
    uint64_t next_serial() { return m_next_serial++; }
    // Park a waitpid; answered by wake_waiters(). Returns false if answered now.
    bool try_wait(Process& p, const Waiter& w);
    // tid 0: every thread's waits.
    void cancel_waits(uint32_t pid, int errnum, uint32_t tid = 0);
    // The Linux thread whose request is being routed (0 outside, or not said).
    uint32_t current_tid() const { return m_current_tid; }
    GlobalShared* global() { return m_global; }
    // Direct channels by id (direct.cpp); REDOX_SIM_DIRECT=0 turns them off.
    std::map<uint32_t, std::weak_ptr<DirectChannel>>& direct_channels() { return m_direct; }
    uint32_t next_direct_id() { return m_next_direct++; }
    bool direct_enabled() const;
    int bell_fd() const { return m_bell_fd; }
    int global_fd() const { return m_global_fd; }
    uint32_t alloc_pid() { return m_next_pid++; }
    void insert_process(std::unique_ptr<Process> p);
    // A Sleep call in flight: a signal answers it with EINTR.
    void park_sleep(uint32_t pid, uint32_t tag, uint64_t serial) { m_sleepers[serial] = {pid, tag}; }

private:
    std::map<uint64_t, std::pair<uint32_t, uint32_t>> m_sleepers;  // serial -> (pid, tag)
    std::map<uint32_t, std::weak_ptr<DirectChannel>> m_direct;
    uint32_t m_next_direct = 1;
    uint32_t m_current_tid = 0;
    // The thread of t a signal should interrupt: 0 for a process with one
    // thread (every call of it), kNoThread when no thread blocked in a call
    // can take the signal.
    static constexpr uint32_t kNoThread = ~0u;
    uint32_t signal_target(const Process& t, int sig) const;
};

} // namespace redox::kernel
