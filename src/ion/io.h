// Standard streams as builtins see them. Output can be an fd of the Os or an
// in-memory capture (`$(..)` of a builtin or function needs no process and no
// pipe); input can be an fd or in-memory data (here-strings, the output of an
// earlier in-process pipeline stage).
#pragma once

#include "ion/os.h"

#include <string>
#include <string_view>

namespace ion {

class Output {
public:
    virtual ~Output() = default;
    virtual void write(std::string_view data) = 0;
    // The Os fd behind this stream, or -1 for an in-memory capture.
    virtual int fd() const { return -1; }
};

class FdOutput final : public Output {
public:
    FdOutput(Os& os, int fd) : m_os(os), m_fd(fd) {}
    void write(std::string_view data) override { (void)m_os.write_all(m_fd, data); }
    int fd() const override { return m_fd; }

private:
    Os& m_os;
    int m_fd;
};

class StringOutput final : public Output {
public:
    void write(std::string_view data) override { m_data.append(data); }
    std::string& data() { return m_data; }

private:
    std::string m_data;
};

class Input {
public:
    Input() = default;
    static Input from_fd(Os& os, int fd) {
        Input in;
        in.m_os = &os;
        in.m_fd = fd;
        return in;
    }
    static Input from_data(std::string data) {
        Input in;
        in.m_mem = true;
        in.m_data = std::move(data);
        return in;
    }
    bool in_memory() const { return m_mem; }
    int fd() const { return m_mem ? -1 : m_fd; }

    // Reads one line without its newline; false at end of input. Reads an fd
    // one byte at a time so nothing past the line is consumed.
    bool read_line(std::string& line, char delim = '\n') {
        line.clear();
        if (m_mem) {
            if (m_pos >= m_data.size()) return false;
            size_t nl = m_data.find(delim, m_pos);
            if (nl == std::string::npos) nl = m_data.size();
            line = m_data.substr(m_pos, nl - m_pos);
            m_pos = nl + 1;
            return true;
        }
        if (!m_os || m_fd < 0) return false;
        bool any = false;
        char c;
        for (;;) {
            auto n = m_os->read(m_fd, std::span<char>(&c, 1));
            if (!n || *n == 0) return any;
            any = true;
            if (c == delim) return true;
            line += c;
        }
    }
    std::string read_all() {
        if (m_mem) {
            std::string r = m_pos < m_data.size() ? m_data.substr(m_pos) : "";
            m_pos = m_data.size();
            return r;
        }
        if (!m_os || m_fd < 0) return {};
        auto r = m_os->read_all(m_fd);
        return r ? *r : std::string();
    }

private:
    Os* m_os = nullptr;
    int m_fd = -1;
    bool m_mem = false;
    std::string m_data;
    size_t m_pos = 0;
};

struct Io {
    Input* in;
    Output* out;
    Output* err;
};

}  // namespace ion
