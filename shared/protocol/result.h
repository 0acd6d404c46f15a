#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace wsinfra {

/// Why a parse or a validation failed: a stable machine-readable code (e.g. "bad_request",
/// "token_expired") and a sentence a person can act on.
struct Error
{
    QString code;
    QString message;
};

/// The value of a parser or validator, or the Error that explains why there is none.
/// Every input from outside is parsed by a function returning a Result (DESIGN.md).
template <typename T> class Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Error error) : m_error(std::move(error)) {}

    static Result failure(QString code, QString message) { return Result(Error{std::move(code), std::move(message)}); }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }
    const T &operator*() const { return *m_value; }

    const Error &error() const { return m_error; }

private:
    std::optional<T> m_value;
    Error m_error;
};

} // namespace wsinfra
