package tickets

import "syscall"

// logSync opens the delivery log for writes that return once their data
// is durable (the file's times excepted): the write and its fdatasync in
// one system call.
const logSync = syscall.O_DSYNC
