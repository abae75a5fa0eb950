// Register access: the only way a driver touches device registers.
//
// A `RegisterWindow` is one mapped BAR. Over VFIO it is the mmap of the region and
// accesses are plain volatile loads/stores; over a device model there is no memory
// behind it, so accesses go to the model's handler, which reacts to them (a doorbell
// write runs the device). Drivers use `Mmio<T>` on a window and never know which.
//
// Out-of-range accesses read as all ones and drop writes, as a PCI master abort does,
// so a buggy offset cannot scribble outside the mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace redox::pci {

// Implemented by device models: called for every access to a BAR they own.
class MmioHandler {
public:
    virtual ~MmioHandler() = default;
    virtual uint64_t mmio_read(unsigned bar, uint64_t offset, unsigned size) = 0;
    virtual void mmio_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) = 0;
};

class RegisterWindow {
public:
    RegisterWindow() = default;
    RegisterWindow(volatile uint8_t* base, size_t size) : m_base(base), m_size(size) {}
    RegisterWindow(MmioHandler* handler, unsigned bar, size_t size)
        : m_handler(handler), m_bar(bar), m_size(size) {}

    size_t size() const { return m_size; }
    bool valid() const { return m_size != 0; }

    template <typename T>
    T read(uint64_t offset) const {
        static_assert(std::is_unsigned_v<T> && sizeof(T) <= 8);
        if (offset + sizeof(T) > m_size || offset % sizeof(T) != 0)
            return static_cast<T>(~T{0});
        if (m_handler)
            return static_cast<T>(m_handler->mmio_read(m_bar, offset, sizeof(T)));
        return *reinterpret_cast<volatile const T*>(m_base + offset);
    }

    template <typename T>
    void write(uint64_t offset, T value) const {
        static_assert(std::is_unsigned_v<T> && sizeof(T) <= 8);
        if (offset + sizeof(T) > m_size || offset % sizeof(T) != 0)
            return;
        if (m_handler) {
            m_handler->mmio_write(m_bar, offset, sizeof(T), value);
            return;
        }
        *reinterpret_cast<volatile T*>(m_base + offset) = value;
    }

private:
    volatile uint8_t* m_base = nullptr;
    MmioHandler* m_handler = nullptr;
    unsigned m_bar = 0;
    size_t m_size = 0;
};

// One register of type T at a fixed offset in a window (Redox's `Mmio<T>`).
template <typename T>
class Mmio {
public:
    Mmio(const RegisterWindow& window, uint64_t offset) : m_window(&window), m_offset(offset) {}

    T read() const { return m_window->read<T>(m_offset); }
    void write(T v) const { m_window->write<T>(m_offset, v); }
    bool readf(T flags) const { return (read() & flags) == flags; }
    void writef(T flags, bool set) const { write(set ? (read() | flags) : (read() & ~flags)); }

private:
    const RegisterWindow* m_window;
    uint64_t m_offset;
};

} // namespace redox::pci
