//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/exception_group.hpp>

#include <boost/core/demangle.hpp>

#include <stdexcept>
#include <typeinfo>

namespace boost::tulip {

struct exception_group::data
{
    std::string message;
    std::vector<std::exception_ptr> exceptions;
    std::string what;
};

namespace {

std::string header_of(const std::string& message, std::size_t n)
{
    std::string s = message;
    s += " (";
    s += std::to_string(n);
    s += n == 1 ? " sub-exception)" : " sub-exceptions)";
    return s;
}

void describe(std::string& out, const std::vector<std::exception_ptr>& excs, int depth);

// One line per exception; a nested group adds its own indented list.
void describe_one(std::string& out, const std::exception_ptr& e, std::size_t index, int depth)
{
    out += '\n';
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += std::to_string(index);
    out += ": ";
    try {
        std::rethrow_exception(e);
    } catch (const exception_group& g) {
        out += "exception_group: ";
        out += header_of(g.message(), g.exceptions().size());
        describe(out, g.exceptions(), depth + 1);
    } catch (const std::exception& x) {
        out += boost::core::demangle(typeid(x).name());
        out += ": ";
        out += x.what();
    } catch (...) {
        out += "unknown exception";
    }
}

void describe(std::string& out, const std::vector<std::exception_ptr>& excs, int depth)
{
    std::size_t i = 0;
    for (const auto& e : excs)
        describe_one(out, e, ++i, depth);
}

// Calls f(group) if `e` holds an exception_group; returns whether it did.
template <class F>
bool with_group(const std::exception_ptr& e, F&& f)
{
    try {
        std::rethrow_exception(e);
    } catch (const exception_group& g) {
        f(g);
        return true;
    } catch (...) {
        return false;
    }
}

} // namespace

exception_group::exception_group(std::string message, std::vector<std::exception_ptr> exceptions)
{
    if (exceptions.empty())
        throw std::invalid_argument("exception_group: the list of exceptions must not be empty");
    for (const auto& e : exceptions)
        if (!e)
            throw std::invalid_argument("exception_group: null exception_ptr in the list");
    auto d = std::make_shared<data>();
    d->what = header_of(message, exceptions.size());
    describe(d->what, exceptions, 1);
    d->message = std::move(message);
    d->exceptions = std::move(exceptions);
    data_ = std::move(d);
}

const std::string& exception_group::message() const noexcept
{
    return data_->message;
}

const std::vector<std::exception_ptr>& exception_group::exceptions() const noexcept
{
    return data_->exceptions;
}

const char* exception_group::what() const noexcept
{
    return data_->what.c_str();
}

exception_group exception_group::derive(std::vector<std::exception_ptr> exceptions) const
{
    return exception_group(data_->message, std::move(exceptions));
}

bool exception_group::contains_by(detail::exception_matcher m) const
{
    for (const auto& e : data_->exceptions) {
        if (m(e))
            return true;
        bool found = false;
        with_group(e, [&](const exception_group& g) { found = g.contains_by(m); });
        if (found)
            return true;
    }
    return false;
}

exception_group::split_result exception_group::split_by(detail::exception_matcher m) const
{
    // PEP 654: a nested group that matches as a whole goes to the match side intact;
    // otherwise it is split recursively and each side rebuilt with derive().
    std::vector<std::exception_ptr> match, rest;
    for (const auto& e : data_->exceptions) {
        if (m(e)) {
            match.push_back(e);
            continue;
        }
        split_result sub;
        if (with_group(e, [&](const exception_group& g) { sub = g.split_by(m); })) {
            // Keep the original object when a nested group lands whole on one side.
            if (sub.first && !sub.second)
                match.push_back(e);
            else if (sub.second && !sub.first)
                rest.push_back(e);
            else {
                match.push_back(std::make_exception_ptr(*sub.first));
                rest.push_back(std::make_exception_ptr(*sub.second));
            }
            continue;
        }
        rest.push_back(e);
    }
    split_result r;
    if (!match.empty())
        r.first = derive(std::move(match));
    if (!rest.empty())
        r.second = derive(std::move(rest));
    return r;
}

} // namespace boost::tulip
