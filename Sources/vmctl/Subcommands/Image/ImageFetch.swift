import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Image {
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Download an image over HTTP(S), verify its checksum and import it into a pool.",
            discussion: """
                SOURCE is an http(s) URL or a known name: \
                \(KnownImages.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")). \
                Without --checksum, the SHA256SUMS or SHA512SUMS file beside the URL (for a known name, the \
                distribution's checksum file) must list the image, and be signed: clear-signed, or with a detached .gpg, .sign or .asc \
                signature beside it, verified with gpgv against --keyring (for Debian's images, the \
                debian-keyring package's keys). A broken download resumes when run again.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "An http(s) URL or a known image name.") var source: String
        @Option(help: "The pool to import into.") var pool: String
        @Option(help: "The volume's name (default: the URL's file name).") var name: String?
        @Option(help: "The expected digest: sha256:HEX or sha512:HEX.") var checksum: String?
        @Option(help: "Seconds an HTTP request may go without data (1-3600).") var timeout: Double = 60
        @Option(help: "An OpenPGP keyring (binary, as gpg --export writes it) the checksum file's signature must verify against; repeatable.")
        var keyring: [String] = []
        @Flag(help: "Take an unsigned checksum file on TLS alone (no signature check).") var insecureChecksums = false

        func run() throws {
            try reportingErrors {
                let progress: any ProgressReporter = global.verbose && !global.quiet ? StderrProgress(timed: true) : SilentProgress()
                let service = ImageService(connection: try global.target.open(), progress: progress)
                let request = ImageFetchRequest(
                    source: source, pool: pool, name: name, checksum: checksum, timeout: timeout, keyrings: keyring,
                    insecureChecksums: insecureChecksums)
                let downloading = TransferLine.meter("downloading \(source)", quiet: global.quiet)
                let importing = TransferLine.meter("importing \(name ?? source)", quiet: global.quiet)
                let result = try service.fetch(
                    request, download: downloading.map { meter in meter.update }, importing: importing.map { meter in meter.update })
                print(ImageOutput.fetched(result, format: global.output))
            }
        }
    }
}
