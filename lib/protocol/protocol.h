#pragma once
// The ptt-taskd protocol, defined once (docs/protocol.md is its reference).
// Both sides use these names; a change here is a protocol change. Each list's kAll
// is what tests/unit/test_protocol_docs.cpp checks docs/protocol.md against.
#include <array>
#include <cstddef>
#include <string_view>

namespace ptt::protocol {

inline constexpr int kVersion = 2;  // 2: task events carry what changed, not the whole record
// 8 MiB: a spawn with a prompt of taskd's largest (1 MiB), every byte escaped as \u00XX.
inline constexpr std::size_t kMaxLine = 8u << 20;

namespace op {
inline constexpr std::string_view kHello = "hello";
inline constexpr std::string_view kSpawn = "spawn";
inline constexpr std::string_view kList = "list";
inline constexpr std::string_view kGet = "get";
inline constexpr std::string_view kResult = "result";
inline constexpr std::string_view kCancel = "cancel";
inline constexpr std::string_view kLogs = "logs";
inline constexpr std::string_view kSubscribe = "subscribe";
inline constexpr std::string_view kWait = "wait";
inline constexpr std::string_view kFollowUp = "follow_up";
inline constexpr std::string_view kClean = "clean";
inline constexpr std::string_view kRetry = "retry";
inline constexpr std::string_view kShutdown = "shutdown";
inline constexpr std::string_view kQueueResume = "queue_resume";
inline constexpr std::string_view kSend = "send";
inline constexpr std::string_view kInterrupt = "interrupt";
// Approvals (protocol/permissions.h): the open questions, and an answer to one.
inline constexpr std::string_view kPending = "pending";
inline constexpr std::string_view kAnswerPermission = "answer_permission";
// A worktree task's branch was merged or its worktree discarded (protocol/worktree_changes.h).
inline constexpr std::string_view kResolveWorktree = "resolve_worktree";
inline constexpr std::array kAll = {
    kHello,          kSpawn,       kList, kGet,       kResult,  kCancel,
    kLogs,           kSubscribe,   kWait, kFollowUp,  kClean,   kRetry,
    kShutdown,       kQueueResume, kSend, kInterrupt, kPending, kAnswerPermission,
    kResolveWorktree};
}  // namespace op

namespace event {
inline constexpr std::string_view kCreated = "created";
inline constexpr std::string_view kStarted = "started";
inline constexpr std::string_view kActivity = "activity";
inline constexpr std::string_view kFinished = "finished";
inline constexpr std::string_view kStalled = "stalled";
inline constexpr std::string_view kLog = "log";
inline constexpr std::string_view kLogEnd = "log_end";
// A finished task's worktree changed: resolved (resolve_worktree) or its changes counted again.
inline constexpr std::string_view kWorktree = "worktree";
// Not about one task: the queue's hold (protocol/queue_hold.h).
inline constexpr std::string_view kQueueHeld = "queue_held";
inline constexpr std::string_view kQueueResumed = "queue_resumed";
// About one question of a task's agent (protocol/permissions.h).
inline constexpr std::string_view kPermissionRequested = "permission_requested";
inline constexpr std::string_view kPermissionAnswered = "permission_answered";
inline constexpr std::array kAll = {kCreated,
                                    kStarted,
                                    kActivity,
                                    kFinished,
                                    kStalled,
                                    kWorktree,
                                    kLog,
                                    kLogEnd,
                                    kQueueHeld,
                                    kQueueResumed,
                                    kPermissionRequested,
                                    kPermissionAnswered};
}  // namespace event

namespace error {
inline constexpr std::string_view kBadRequest = "bad_request";
inline constexpr std::string_view kTooLong = "too_long";
inline constexpr std::string_view kUnknownOp = "unknown_op";
inline constexpr std::string_view kVersionMismatch = "version_mismatch";
inline constexpr std::string_view kNotFound = "not_found";
inline constexpr std::string_view kInvalidArgument = "invalid_argument";
inline constexpr std::string_view kCwdNotAllowed = "cwd_not_allowed";
inline constexpr std::string_view kNotFinished = "not_finished";
inline constexpr std::string_view kPermissionDenied = "permission_denied";
inline constexpr std::string_view kInternal = "internal";
inline constexpr std::string_view kStorageError = "storage_error";  // the state dir is full or unwritable
inline constexpr std::string_view kBusy = "busy";  // at its connection or memory limit: try again later
inline constexpr std::string_view kNotRunning = "not_running";  // send: the task has no session to take it
// answer_permission: the task has no open question (or none with that request id).
inline constexpr std::string_view kNoQuestion = "no_question";
inline constexpr std::array kAll = {kBadRequest,       kTooLong,         kUnknownOp,     kVersionMismatch,
                                    kNotFound,         kInvalidArgument, kCwdNotAllowed, kNotFinished,
                                    kPermissionDenied, kInternal,        kStorageError,  kBusy,
                                    kNotRunning,       kNoQuestion};
}  // namespace error

}  // namespace ptt::protocol
