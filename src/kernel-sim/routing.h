// Helpers shared by the routing code (routing.cpp, file_ops.cpp, proc_ops.cpp).
#pragma once

#include "kernel-sim/kernel.h"
#include "kernel-sim/process.h"

namespace redox::kernel {

void reply(Kernel& k, uint32_t pid, uint32_t tag, uint64_t result, uint8_t extra = 0, uint8_t extra1 = 0);
// Send a Linux fd and a value to process p over its side channel.
bool send_side_fd(Process& p, int fd, uint64_t value);
void reply_err(Kernel& k, uint32_t pid, uint32_t tag, int errnum);
std::pair<std::string, std::string> split_path(std::string_view path);
Result<std::shared_ptr<Scheme>> resolve_scheme(Kernel& k, Process& p, const std::string& name);
std::unique_ptr<KRequest> make_request(Kernel& k, Process& p, Opcode op, const FdRef& file);
void forward(Kernel& k, Process& p, std::shared_ptr<Scheme> s, std::unique_ptr<KRequest> r,
             uint32_t tag, std::function<void(Kernel&, KRequest&, const Cqe&)> then = {});
FdRef take_daemon_fd(Kernel& k, Scheme& s, uint64_t daemon_fd);
int install_fd(Process& p, FdRef f, int at = -1);
void open_reply(Kernel& k, Process& p, uint32_t tag, std::shared_ptr<Scheme> s, const Cqe& c,
                uint64_t flags, std::string path, int at);

void dispatch_file_op(Kernel& k, Process& p, const Sqe& sqe);
void dispatch_kernel_op(Kernel& k, Process& p, const Sqe& sqe);

} // namespace redox::kernel
