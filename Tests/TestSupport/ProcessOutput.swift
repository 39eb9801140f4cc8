import Foundation

/// Reads a started process's output pipes while it runs (so a chatty tool
/// cannot block on a full pipe) and what is left in them once it has exited,
/// then waits for it. Not to end-of-file: another process that the test process
/// starts at the same moment, from another suite, can inherit the pipes' write
/// ends (Foundation's `Pipe` sets no FD_CLOEXEC) and keep them open for minutes
/// after the tool is gone; a SeedBootTests run waited out its time limit so.
/// `stderr` may be nil, or the same pipe as `stdout`.
public func readOutput(of process: Process, stdout: Pipe, stderr: Pipe? = nil) -> (stdout: Data, stderr: Data) {
    var descriptors = [stdout.fileHandleForReading.fileDescriptor]
    if let stderr, stderr !== stdout { descriptors.append(stderr.fileHandleForReading.fileDescriptor) }
    for descriptor in descriptors { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
    var data = descriptors.map { _ in Data() }
    var open = descriptors.map { _ in true }
    var buffer = [UInt8](repeating: 0, count: 65536)
    func readAvailable(_ index: Int) {
        while open[index] {
            let count = read(descriptors[index], &buffer, buffer.count)
            if count > 0 {
                data[index].append(contentsOf: buffer[0..<count])
            } else {
                // 0: end of file; -1 with EAGAIN: nothing more for now.
                if count == 0 || (errno != EAGAIN && errno != EINTR) { open[index] = false }
                return
            }
        }
    }
    while open.contains(true) {
        let exited = !process.isRunning
        var polls = descriptors.indices.filter { open[$0] }.map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
        _ = poll(&polls, nfds_t(polls.count), 100)
        for index in descriptors.indices { readAvailable(index) }
        // A tool has written everything when it exits: what the pipes hold then is all of it.
        if exited { break }
    }
    process.waitUntilExit()
    return (data[0], data.count > 1 ? data[1] : Data())
}
