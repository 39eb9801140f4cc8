import FoundationEssentials
import Libvirt
import LibvirtXML

#if canImport(Glibc)
import Glibc
#endif

/// An image as the inspector found it: the format libvirt is to be told, the
/// guest-visible size, and the backing chain below it, each with its format.
public struct InspectedImage: Sendable, Equatable {
    public var path: String
    /// raw or qcow2, read from the header.
    public var format: DiskFormat
    public var virtualSize: UInt64
    /// The backing files, nearest first, each with the format its parent states.
    public var backing: [BackingStore]
}

/// The one check every image passes before it becomes a disk, a base or a pool
/// volume (`vm create --image`, `vol import`, `image fetch`, a lab's `images:`,
/// `vm clone`'s source disks). It reads each file's header (the format from
/// its magic, never from its name), follows the whole backing chain, and
/// refuses, naming the chain (`IMAGE → BACKING: rule`):
/// - a file that is not a regular file or block device, or is a symbolic link;
/// - a format other than raw or qcow2 (vmdk, vhd, vhdx, qed, vdi, luks, …);
/// - a header that says one format where libvirt would be told another
///   (a "raw" volume whose bytes are a qcow2 header, and the reverse);
/// - a raw file that is not a whole number of 512-byte sectors (not a disk);
/// - a qcow2 external data file, an encrypted qcow2;
/// - a backing file whose format its parent does not state, that names a
///   protocol (`json:`, `nbd:`, …), or that lies outside the storage pools'
///   folders (and the bases vmctl recorded, `allowedFiles`).
public struct ImageInspector {
    /// Folders a backing file may lie in (symbolic links resolved): the pools' targets.
    public var poolDirectories: Set<String>
    /// Backing files allowed outside the pools: base images vmctl itself recorded.
    public var allowedFiles: Set<String>
    /// Longer chains are refused rather than followed.
    public static let maxDepth = 16

    /// Set when the images are not files on this machine (a remote daemon, the
    /// test driver's made-up paths): then a volume is judged by what libvirt read
    /// of its header on the daemon's side (virStorageVolLookupByPath,
    /// virStorageVolGetXMLDesc), and a bare file cannot be inspected.
    public var daemonView: Connection?

    public init(poolDirectories: some Sequence<String>, allowedFiles: some Sequence<String> = [String](), daemonView: Connection? = nil) {
        self.poolDirectories = Set(poolDirectories.map(Self.resolved))
        self.allowedFiles = Set(allowedFiles.map(Self.resolved))
        self.daemonView = daemonView
    }

    /// An inspector whose backing files may lie in any dir, fs or netfs pool of
    /// `connection` (virConnectListAllStoragePools, virStoragePoolGetXMLDesc),
    /// or in `pendingDirectories` (pools a larger plan makes first).
    public static func forPools(
        of connection: Connection, pendingDirectories: some Sequence<String> = [String](), allowedFiles: some Sequence<String> = [String]()
    ) throws(VMCtlError) -> ImageInspector {
        let pools = try libvirt("listing storage pools") { try connection.storagePools() }
        var directories = Array(pendingDirectories)
        for pool in pools {
            let definition = try? StoragePoolDefinition(xml: try libvirt("reading pool '\(pool.name)'") { try pool.xml() })
            if let definition, let path = definition.targetPath, [.dir, .fs, .netfs].contains(definition.type) {
                directories.append(path)
            }
        }
        let uri = try libvirt("reading the connection's URI") { try connection.uri() }
        let parsed = LibvirtURI(uri)
        let sharesFiles = (parsed?.isLocal ?? true) && parsed?.driver != "test"
        return ImageInspector(poolDirectories: directories, allowedFiles: allowedFiles, daemonView: sharesFiles ? nil : connection)
    }

    /// Inspects `path` and its whole backing chain. `told`: the format libvirt
    /// would be told for it (a volume's format, `--format`), nil when vmctl
    /// takes the header's. `field` names the option in errors.
    public func inspect(_ path: String, told: DiskFormat? = nil, field: String) throws(VMCtlError) -> InspectedImage {
        if let daemonView { return try inspectVolume(path, on: daemonView, field: field) }
        var chain = [path]
        func refuse(_ rule: String) -> VMCtlError {
            .invalid(field: field, "\(chain.map(InputFile.shown).joined(separator: " → ")): \(rule)")
        }
        var current = path
        var expected = told
        var top: (format: DiskFormat, size: UInt64)?
        var backing: [BackingStore] = []
        while true {
            let (bytes, size) = try Self.readHead(current, refuse: refuse)
            let header: ImageHeader
            do {
                header = try ImageHeader.parse(bytes)
            } catch {
                throw refuse("\(error.description)")
            }
            let format = try Self.accepted(header, size: size, told: expected, refuse: refuse)
            if top == nil { top = (format, header.virtualSize ?? size) }
            guard let name = header.backingFile else { break }
            guard let stated = header.backingFormat else {
                chain.append(name)
                throw refuse("the backing file's format is not stated (qemu-img rebase -F raw|qcow2), so it would be probed")
            }
            let next = Self.path(of: name, besides: current)
            chain.append(next)
            guard !name.contains(":") else { throw refuse("a backing file naming a protocol or JSON options is not allowed") }
            guard chain.count <= Self.maxDepth else { throw refuse("the backing chain is longer than \(Self.maxDepth) images") }
            guard isAllowed(next) else {
                throw refuse("the backing file is outside the storage pools; a backing file must be a volume of a pool")
            }
            backing.append(BackingStore(path: next, format: DiskFormat(rawValue: stated)))
            expected = DiskFormat(rawValue: stated)
            current = next
        }
        return InspectedImage(path: path, format: top!.format, virtualSize: top!.size, backing: backing)
    }

    /// A volume on a daemon whose files vmctl cannot read: libvirt's format for
    /// it, and its backing file (libvirt reports one level) in a pool's folder,
    /// with its format stated (virStorageVolLookupByPath, virStorageVolGetXMLDesc,
    /// virStorageVolGetInfo).
    func inspectVolume(_ path: String, on connection: Connection, field: String) throws(VMCtlError) -> InspectedImage {
        let refuse = { (rule: String) in VMCtlError.invalid(field: field, "\(InputFile.shown(path)): \(rule)") }
        guard let volume = try find("looking up the volume at \(path)", missing: .noStorageVolume, { try connection.storageVolume(path: path) }) else {
            throw refuse("not a volume of a pool; on a remote daemon vmctl inspects only pool volumes (import the file there first)")
        }
        let (xml, capacity) = try libvirt("reading the volume at \(path)") { (try volume.xml(), try volume.info().capacity) }
        let definition = try libvirt("reading the volume at \(path)") { try StorageVolumeDefinition(xml: xml) }
        let format = definition.format ?? .raw
        guard format == .raw || format == .qcow2 else {
            throw refuse("a \(format.rawValue) image is not allowed; vmctl takes raw or qcow2 (qemu-img convert -O qcow2)")
        }
        guard let backing = definition.backingStore else { return InspectedImage(path: path, format: format, virtualSize: capacity, backing: []) }
        let chain = "\(InputFile.shown(path)) → \(InputFile.shown(backing.path))"
        guard backing.format != nil else { throw .invalid(field: field, "\(chain): the backing file's format is not stated") }
        guard poolDirectories.contains(URL(fileURLWithPath: backing.path).deletingLastPathComponent().path) else {
            throw .invalid(field: field, "\(chain): the backing file is outside the storage pools; a backing file must be a volume of a pool")
        }
        return InspectedImage(path: path, format: format, virtualSize: capacity, backing: [backing])
    }

    /// A backing file's name as its parent writes it, made absolute (QEMU reads a
    /// relative name against the parent's folder).
    static func path(of name: String, besides parent: String) -> String {
        name.hasPrefix("/") ? name : URL(fileURLWithPath: parent).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// The backing file `path`'s header names, with no rule applied: for finding
    /// what uses an image (`vm delete`, `image prune`), never for using one.
    public static func namedBackingFile(of path: String) -> String? {
        guard let head = try? readHead(path, refuse: { VMCtlError($0) }), let header = try? ImageHeader.parse(head.bytes),
              let name = header.backingFile else { return nil }
        return Self.path(of: name, besides: path)
    }

    /// Whether a backing file lies in a pool's folder, or is a base vmctl recorded.
    func isAllowed(_ path: String) -> Bool {
        let real = Self.resolved(path)
        return allowedFiles.contains(real) || poolDirectories.contains(URL(fileURLWithPath: real).deletingLastPathComponent().path)
    }

    /// The format libvirt will be told, when the header's facts pass the rules.
    static func accepted(
        _ header: ImageHeader, size: UInt64, told: DiskFormat?, refuse: (String) -> VMCtlError
    ) throws(VMCtlError) -> DiskFormat {
        let found = header.format.rawValue
        if let told, told.rawValue != found {
            throw refuse("the header says \(found), but libvirt would be told \(told.rawValue)")
        }
        switch header.format {
        case .raw:
            guard size % 512 == 0 else {
                throw refuse("not a disk image: a raw image is a whole number of 512-byte sectors, this is \(size) bytes")
            }
            return .raw
        case .qcow2:
            if let data = header.dataFile {
                throw refuse("a qcow2 external data file\(data.isEmpty ? "" : " ('\(InputFile.shown(data))')") is not allowed")
            }
            if header.encrypted { throw refuse("an encrypted qcow2 is not supported") }
            return .qcow2
        case .vmdk:
            let files = header.vmdkExtents + (header.vmdkParent.map { [$0] } ?? [])
            let detail = [header.vmdkCreateType.map { "createType \($0)" }, files.isEmpty ? nil : "naming \(files.joined(separator: ", "))"]
                .compactMap { $0 }.joined(separator: ", ")
            throw refuse("a vmdk image\(detail.isEmpty ? "" : " (\(detail))") is not allowed; convert it with qemu-img convert -O qcow2")
        default:
            throw refuse("a \(found) image is not allowed; vmctl takes raw or qcow2 (qemu-img convert -O qcow2)")
        }
    }

    /// Opens `path` without following a symbolic link and without blocking,
    /// requires a regular file or block device, and reads its first
    /// `ImageHeader.readLimit` bytes. Returns them and the file's size.
    static func readHead(_ path: String, refuse: (String) -> VMCtlError) throws(VMCtlError) -> (bytes: [UInt8], size: UInt64) {
        guard path.hasPrefix("/") else { throw refuse("must be an absolute path") }
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT: throw refuse("does not exist")
            case ELOOP: throw refuse("is a symbolic link; give the file it points to")
            default: throw refuse("cannot be opened: \(String(cString: strerror(errno)))")
            }
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw refuse("cannot be read: \(String(cString: strerror(errno)))") }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG || type == S_IFBLK else {
            throw refuse("is \(InputFile.kind(info.st_mode)), not a regular file or block device")
        }
        // A block device's st_size is 0: its end is its size.
        let size = type == S_IFBLK ? UInt64(max(lseek(descriptor, 0, SEEK_END), 0)) : UInt64(info.st_size)
        var bytes = [UInt8](repeating: 0, count: Int(min(size, UInt64(ImageHeader.readLimit))))
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, $0.count - done, off_t(done)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                if count == 0 { break }
                throw refuse("cannot be read: \(String(cString: strerror(errno)))")
            }
            done += count
        }
        return (Array(bytes[..<done]), size)
    }

    /// `path` with every symbolic link resolved; unchanged when it cannot be.
    static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }
}
