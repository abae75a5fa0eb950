// Kernel schemes: the root scheme (scheme list and scheme sockets), debug
// (the console), pipe and serio.
#include "kernel-sim/kschemes.h"
#include "kernel-sim/ks_util.h"
#include "kernel-sim/namespaces.h"
#include "kernel-sim/routing.h"
#include "kernel-sim/user_scheme.h"

#include <fmt/format.h>
#include <map>
#include <set>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

namespace redox::kernel {

void register_event_schemes(Kernel& k);
void register_sys_schemes(Kernel& k);
void register_initfs_scheme(Kernel& k);
void register_device_schemes(Kernel& k);

// root (""): `/scheme/` lists the caller's namespace (getdents). Also owns the
// socket handles returned by scheme registration: the last close of a socket
// unregisters its scheme. Anyone may list; registering needs uid 0.
class RootScheme final : public KernelScheme {
public:
    RootScheme() : KernelScheme("") {}
    int register_socket(Kernel& k, Process& p, std::shared_ptr<UserScheme> s) {
        uint64_t id = m_next++;
        m_sockets[id] = s;
        auto f = std::make_shared<FileDescription>();
        f->scheme = shared_from_this();
        f->scheme_name = "";
        f->number = id;
        f->flags = O_RDWR_;
        f->kernel = &k;
        return install_fd(p, f);
    }

protected:
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t&) override {
        switch (r.op) {
        case Opcode::Open: {
            Process* p = k.process(r.pid);
            if (!p) return err(ESRCH_);
            uint64_t id = m_next++;
            m_listings[id] = k.namespaces().list(p->rns);
            return id;
        }
        case Opcode::Getdents: {
            auto it = m_listings.find(r.number);
            if (it == m_listings.end()) return err(ENOTDIR_);
            return put_dirents(k, r, it->second, [](const std::string&) { return uint8_t(DT_DIR_); });
        }
        case Opcode::Fstat: return put_stat(k, r, make_stat(MODE_DIR | 0555));
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/");
        case Opcode::Fevent: return 0;
        default: return err(EBADF_);
        }
    }
    void on_close(Kernel& k, uint64_t id) override {
        m_listings.erase(id);
        auto it = m_sockets.find(id);
        if (it == m_sockets.end()) return;
        if (auto s = it->second.lock()) {
            s->crash(k, "scheme socket closed");
            k.namespaces().remove_scheme(s.get());
        }
        m_sockets.erase(it);
    }

private:
    uint64_t m_next = 1;
    std::map<uint64_t, std::vector<std::string>> m_listings;
    std::map<uint64_t, std::weak_ptr<UserScheme>> m_sockets;
};

// debug: the kernel console. Read takes host console input (parking until
// there is some; EOF when the host input ends), write prints. uid 0 only.
// `winsize` (a redox-sim extension): read gives the host terminal's size as
// ptyd's winsize record (u16 rows, cols, xpixel, ypixel; ENOTTY when the
// console is no terminal). When it changes, the console reader's process group
// gets SIGWINCH (Kernel::console_resized).
class DebugScheme final : public KernelScheme {
public:
    DebugScheme() : KernelScheme("debug") {}
    bool root_only() const override { return true; }

protected:
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t&) override {
        if (r.op != Opcode::Open && m_winsize.count(r.number)) return read_winsize(k, r);
        switch (r.op) {
        case Opcode::Open:
            if (r.path == "winsize") {
                m_winsize.insert(m_next);
                return m_next++;
            }
            return m_next++;
        case Opcode::Write: {
            std::string buf(std::min<uint64_t>(r.len, 1 << 20), '\0');
            if (!k.copy_from(r.pid, r.buf, buf.data(), buf.size())) return err(EFAULT_);
            k.console_write(buf);
            return buf.size();
        }
        case Opcode::Read: {
            k.note_console_reader(r.pid);
            int fd = k.console_in();
            pollfd pfd{fd, POLLIN, 0};
            if (poll(&pfd, 1, 0) <= 0) {
                if (!m_polling) {
                    m_polling = true;
                    k.poll_host_fd(fd, [this, &k] { m_polling = false; retry_parked(k); });
                }
                return err(EWOULDBLOCK_);
            }
            char buf[4096];
            ssize_t n = ::read(fd, buf, std::min<uint64_t>(sizeof buf, r.len));
            if (n < 0) return err(EIO_);
            if (!k.copy_to(r.pid, r.buf, buf, size_t(n))) return err(EFAULT_);
            return uint64_t(n);
        }
        case Opcode::Fstat: return put_stat(k, r, make_stat(MODE_CHR | 0666));
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/debug/");
        case Opcode::Fevent: return EVENT_WRITE;
        case Opcode::Fsync: case Opcode::Fcntl: return 0;
        default: return err(EBADF_);
        }
    }

    void on_close(Kernel&, uint64_t id) override { m_winsize.erase(id); }

private:
    Result<uint64_t> read_winsize(Kernel& k, KRequest& r) {
        switch (r.op) {
        case Opcode::Read: {
            struct winsize ws{};
            if (ioctl(k.console_out(), TIOCGWINSZ, &ws) != 0 && ioctl(k.console_in(), TIOCGWINSZ, &ws) != 0)
                return err(ENOTTY_);
            uint16_t rec[4] = {ws.ws_row, ws.ws_col, ws.ws_xpixel, ws.ws_ypixel};
            if (r.len < sizeof rec) return err(EINVAL_);
            if (!k.copy_to(r.pid, r.buf, rec, sizeof rec)) return err(EFAULT_);
            return sizeof rec;
        }
        case Opcode::Fstat: return put_stat(k, r, make_stat(MODE_CHR | 0444));
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/debug/winsize");
        case Opcode::Fevent: return 0;
        case Opcode::Fsync: case Opcode::Fcntl: return 0;
        default: return err(EBADF_);
        }
    }

    uint64_t m_next = 1;
    bool m_polling = false;
    std::set<uint64_t> m_winsize;
};

// pipe: open "" gives the read end; dup(read_end, "write") the write end,
// once. 64 KiB of buffer; data is copied straight between the callers'
// address spaces and the buffer.
class PipeScheme final : public KernelScheme {
public:
    PipeScheme() : KernelScheme("pipe") {}
    uint64_t create() {
        uint64_t id = m_next++;
        m_pipes[id] = Pipe{};
        m_pipes[id].readers = 1;
        return id * 2;
    }
    uint64_t write_end(uint64_t read_number) {
        auto& p = m_pipes[read_number / 2];
        p.write_taken = true;
        p.writers = 1;
        return read_number + 1;
    }

protected:
    struct Pipe {
        std::string buf;
        size_t head = 0;
        int readers = 0;
        int writers = 0;
        bool write_taken = false;
        size_t size() const { return buf.size() - head; }
    };
    static constexpr size_t kCapacity = 64 * 1024;

    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t&) override {
        if (r.op == Opcode::Open) {
            if (!r.path.empty()) return err(ENOENT_);
            return create();
        }
        auto it = m_pipes.find(r.number / 2);
        if (it == m_pipes.end()) return err(EBADF_);
        Pipe& p = it->second;
        bool is_write_end = r.number & 1;
        switch (r.op) {
        case Opcode::Dup:
            if (r.path != "write" || is_write_end || p.write_taken) return err(EBADF_);
            return write_end(r.number);
        case Opcode::Read: {
            if (is_write_end) return err(EBADF_);
            if (p.size() == 0) return p.writers == 0 && p.write_taken ? Result<uint64_t>(0) : err(EWOULDBLOCK_);
            uint64_t n = std::min<uint64_t>(r.len, p.size());
            if (!k.copy_to(r.pid, r.buf, p.buf.data() + p.head, n)) return err(EFAULT_);
            p.head += n;
            if (p.head == p.buf.size()) { p.buf.clear(); p.head = 0; }
            else if (p.head > kCapacity) { p.buf.erase(0, p.head); p.head = 0; }
            changed(k, r.number & ~1ull);
            return n;
        }
        case Opcode::Write: {
            if (!is_write_end) return err(EBADF_);
            if (p.readers == 0) return err(EPIPE_);
            if (p.size() >= kCapacity) return err(EWOULDBLOCK_);
            uint64_t n = std::min<uint64_t>(r.len, kCapacity - p.size());
            size_t at = p.buf.size();
            p.buf.resize(at + n);
            if (!k.copy_from(r.pid, r.buf, p.buf.data() + at, n)) { p.buf.resize(at); return err(EFAULT_); }
            changed(k, r.number & ~1ull);
            return n;
        }
        case Opcode::Fevent: {
            uint32_t ready = 0;
            if (!is_write_end && (p.size() > 0 || (p.write_taken && p.writers == 0))) ready |= EVENT_READ;
            if (is_write_end && (p.size() < kCapacity || p.readers == 0)) ready |= EVENT_WRITE;
            return ready;
        }
        case Opcode::Fstat: return put_stat(k, r, make_stat(MODE_FIFO | 0600, p.size()));
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/pipe/");
        case Opcode::Fcntl: case Opcode::Fsync: return 0;
        default: return err(EBADF_);
        }
    }
    void on_close(Kernel& k, uint64_t number) override {
        auto it = m_pipes.find(number / 2);
        if (it == m_pipes.end()) return;
        if (number & 1) it->second.writers = 0;
        else it->second.readers = 0;
        if (it->second.readers == 0 && it->second.writers == 0) m_pipes.erase(it);
        changed(k, number & ~1ull);
    }

private:
    void changed(Kernel& k, uint64_t read_number) {
        retry_parked(k);
        k.trigger(this, read_number, EVENT_READ);
        k.trigger(this, read_number + 1, EVENT_WRITE);
    }
    uint64_t m_next = 1;
    std::map<uint64_t, Pipe> m_pipes;
};

// serio: root only. A hosted sim has no PS/2 ports: they exist but never
// produce bytes.
class DeviceStubScheme final : public KernelScheme {
public:
    DeviceStubScheme(std::string name, std::vector<std::string> entries)
        : KernelScheme(std::move(name)), m_entries(std::move(entries)) {}
    bool root_only() const override { return true; }

protected:
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t&) override {
        switch (r.op) {
        case Opcode::Open:
            if (r.path.empty()) return 0;
            for (size_t i = 0; i < m_entries.size(); ++i)
                if (m_entries[i] == r.path) return i + 1;
            return err(ENOENT_);
        case Opcode::Getdents:
            if (r.number != 0) return err(ENOTDIR_);
            return put_dirents(k, r, m_entries, [](const std::string&) { return uint8_t(DT_CHR_); });
        case Opcode::Read: return r.number == 0 ? err(EISDIR_) : Result<uint64_t>(0);
        case Opcode::Write: return r.len;
        case Opcode::Fstat: return put_stat(k, r, make_stat(r.number == 0 ? MODE_DIR | 0500 : MODE_CHR | 0600));
        case Opcode::Fpath:
            return put_fpath(k, r, "/scheme/" + name() + "/" + (r.number ? m_entries[r.number - 1] : ""));
        case Opcode::Fevent: case Opcode::Fcntl: return 0;
        default: return err(EBADF_);
        }
    }

private:
    std::vector<std::string> m_entries;
};


void register_kernel_schemes(Kernel& k) {
    auto root = std::make_shared<RootScheme>();
    auto pipe = std::make_shared<PipeScheme>();
    auto debug = std::make_shared<DebugScheme>();
    auto& ns = k.namespaces();
    ns.add_kernel_scheme(root, true, false);
    ns.add_kernel_scheme(pipe, true, true);
    ns.add_kernel_scheme(debug, false, false);
    ns.add_kernel_scheme(std::make_shared<DeviceStubScheme>("serio", std::vector<std::string>{"0", "1"}), false, false);
    for (auto s : std::initializer_list<std::shared_ptr<Scheme>>{root, pipe, debug}) k.add_scheme(s);
    register_device_schemes(k);
    register_event_schemes(k);
    register_sys_schemes(k);
    register_initfs_scheme(k);
}

Result<int> register_user_scheme(Kernel& k, Process& p, const std::string& name, std::shared_ptr<UserScheme> s) {
    TRY(k.namespaces().insert(p.ens, name, s));
    k.add_scheme(s);
    auto root = std::dynamic_pointer_cast<RootScheme>(k.namespaces().lookup(1, ""));
    if (!root) return err(EIO_, "root scheme");
    return root->register_socket(k, p, s);
}

Result<std::pair<int, int>> make_pipe(Kernel& k, Process& p) {
    auto s = std::dynamic_pointer_cast<PipeScheme>(k.namespaces().lookup(1, "pipe"));
    if (!s) return err(EIO_, "pipe scheme");
    uint64_t rd = s->create();
    uint64_t wr = s->write_end(rd);
    auto make = [&](uint64_t number, uint64_t flags) {
        auto f = std::make_shared<FileDescription>();
        f->scheme = s;
        f->scheme_name = "pipe";
        f->number = number;
        f->flags = flags;
        f->kernel = &k;
        return f;
    };
    int r = install_fd(p, make(rd, O_RDONLY_));
    int w = install_fd(p, make(wr, O_WRONLY_));
    return std::pair{r, w};
}

} // namespace redox::kernel
