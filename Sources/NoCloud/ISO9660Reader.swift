import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Reads back what ``ISO9660Writer`` writes (and other flat ISO9660 images):
/// volume descriptors, path tables and the root directory, with Joliet names
/// when the image has a Joliet volume.
///
/// It checks what a reader relies on: the descriptor set up to its
/// terminator, both-endian fields agreeing, the L and M path tables naming the
/// root directory of their descriptor, and extents inside the image. Any
/// violation throws ``NoCloudError`` with field `image`. Subdirectories are listed
/// but not entered.
public struct ISO9660Reader: Sendable {
    /// A root directory entry.
    public struct Entry: Equatable, Sendable {
        /// The Joliet name without `;1` (the primary name when there is no Joliet volume).
        public var name: String
        /// The primary (level 1) identifier, e.g. `USER_DAT.;1`.
        public var primaryName: String
        public var extent: Int
        public var size: Int
        public var isDirectory: Bool
    }

    /// Volume identifier of the primary descriptor, trailing spaces removed.
    public let volumeLabel: String
    /// Volume identifier of the Joliet descriptor, if there is one.
    public let jolietVolumeLabel: String?
    /// Volume space size, in 2048-byte sectors.
    public let volumeSectors: Int
    /// Root directory entries (without `.` and `..`), in directory order.
    public let entries: [Entry]

    private let data: Data

    public init(contentsOf path: String) throws {
        try self.init(data: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    public init(data: Data) throws {
        self.data = data
        let bytes = [UInt8](data)
        let sector = ISO9660Writer.sectorSize
        func fail(_ rule: String) -> NoCloudError { NoCloudError(field: "image", rule: rule) }
        guard bytes.count % sector == 0, bytes.count >= 19 * sector else {
            throw fail("size must be a whole number of 2048-byte sectors, at least 19")
        }
        var primary: Int?
        var joliet: Int?
        var index = 16
        while true {
            let at = index * sector
            guard at + sector <= bytes.count else { throw fail("no volume descriptor set terminator") }
            guard Array(bytes[at + 1 ..< at + 6]) == Array("CD001".utf8), bytes[at + 6] == 1 else {
                throw fail("sector \(index) is not a volume descriptor (CD001, version 1)")
            }
            let type = bytes[at]
            if type == 255 { break }
            if type == 1, primary == nil { primary = at }
            if type == 2, joliet == nil, bytes[at + 88] == 0x25, bytes[at + 89] == 0x2F,
               [0x40, 0x43, 0x45].contains(bytes[at + 90]) {
                joliet = at
            }
            index += 1
        }
        guard let primary else { throw fail("no primary volume descriptor") }

        func bothEndian32(_ o: Int, _ what: String) throws -> Int {
            let le = Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24
            let be = Int(bytes[o + 7]) | Int(bytes[o + 6]) << 8 | Int(bytes[o + 5]) << 16 | Int(bytes[o + 4]) << 24
            guard le == be else { throw fail("\(what): little- and big-endian values differ (\(le), \(be))") }
            return le
        }
        func le32(_ o: Int) -> Int {
            Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24
        }
        func be32(_ o: Int) -> Int {
            Int(bytes[o + 3]) | Int(bytes[o + 2]) << 8 | Int(bytes[o + 1]) << 16 | Int(bytes[o]) << 24
        }

        volumeSectors = try bothEndian32(primary + 80, "volume space size")
        guard volumeSectors * sector <= bytes.count else { throw fail("volume space size exceeds the image") }
        guard bytes[primary + 128] == 0x00, bytes[primary + 129] == 0x08 else {
            throw fail("logical block size must be 2048")
        }

        func label(_ at: Int, ucs2: Bool) -> String {
            let raw = Array(bytes[at + 40 ..< at + 72])
            let text = ucs2 ? Self.decodeUCS2(raw) : String(decoding: raw, as: UTF8.self)
            return String(text.reversed().drop(while: { $0 == " " || $0 == "\0" }).reversed())
        }
        volumeLabel = label(primary, ucs2: false)
        jolietVolumeLabel = joliet.map { label($0, ucs2: true) }

        /// Reads a descriptor's root directory after checking its path tables.
        func root(_ descriptor: Int, ucs2: Bool) throws -> [Entry] {
            let rootExtent = try bothEndian32(descriptor + 156 + 2, "root directory extent")
            let rootSize = try bothEndian32(descriptor + 156 + 10, "root directory size")
            let tableSize = try bothEndian32(descriptor + 132, "path table size")
            let lTable = le32(descriptor + 140) * sector
            let mTable = be32(descriptor + 148) * sector
            guard tableSize >= 10, lTable + tableSize <= bytes.count, mTable + tableSize <= bytes.count else {
                throw fail("path tables must lie inside the image")
            }
            guard bytes[lTable] == 1, bytes[mTable] == 1, le32(lTable + 2) == rootExtent, be32(mTable + 2) == rootExtent,
                  bytes[lTable + 6] == 1, bytes[lTable + 7] == 0, bytes[mTable + 6] == 0, bytes[mTable + 7] == 1 else {
                throw fail("L and M path tables must start with the root directory (extent \(rootExtent))")
            }
            guard rootSize % sector == 0, rootExtent * sector + rootSize <= bytes.count else {
                throw fail("root directory must lie inside the image")
            }
            var result = [Entry]()
            var offset = rootExtent * sector
            let end = offset + rootSize
            while offset < end {
                let length = Int(bytes[offset])
                if length == 0 {  // rest of this sector is padding
                    offset = (offset / sector + 1) * sector
                    continue
                }
                guard length >= 34, offset + length <= end, (offset % sector) + length <= sector else {
                    throw fail("directory record at byte \(offset) is malformed")
                }
                let idLength = Int(bytes[offset + 32])
                guard 33 + idLength <= length else { throw fail("directory record at byte \(offset) is malformed") }
                let id = Array(bytes[offset + 33 ..< offset + 33 + idLength])
                let extent = try bothEndian32(offset + 2, "extent at byte \(offset)")
                let size = try bothEndian32(offset + 10, "size at byte \(offset)")
                let isDirectory = bytes[offset + 25] & 0x02 != 0
                if id != [0], id != [1] {
                    guard size == 0 || extent * sector + size <= bytes.count else {
                        throw fail("file at byte \(offset) extends past the image")
                    }
                    var name = ucs2 ? Self.decodeUCS2(id) : String(decoding: id, as: UTF8.self)
                    if name.hasSuffix(";1") { name.removeLast(2) }
                    result.append(Entry(name: name, primaryName: String(decoding: id, as: UTF8.self),
                                        extent: extent, size: size, isDirectory: isDirectory))
                }
                offset += length
            }
            return result
        }

        let primaryEntries = try root(primary, ucs2: false)
        if let joliet {
            var jolietEntries = try root(joliet, ucs2: true)
            // Pair each Joliet entry with an unpaired primary entry of the same extent and size
            // (empty files all have extent 0, so those pair up in directory order).
            var unpaired = primaryEntries
            for i in jolietEntries.indices {
                if let match = unpaired.firstIndex(where: {
                    $0.extent == jolietEntries[i].extent && $0.size == jolietEntries[i].size
                        && $0.isDirectory == jolietEntries[i].isDirectory
                }) {
                    jolietEntries[i].primaryName = unpaired.remove(at: match).primaryName
                } else {
                    jolietEntries[i].primaryName = ""
                }
            }
            guard jolietEntries.count == primaryEntries.count else {
                throw fail("primary and Joliet root directories list different numbers of files")
            }
            entries = jolietEntries
        } else {
            entries = primaryEntries.map {
                var e = $0
                if e.name.hasSuffix(".") { e.name.removeLast() }
                return e
            }
        }
    }

    /// Names of the root directory's files, in directory order.
    public var fileNames: [String] { entries.filter { !$0.isDirectory }.map(\.name) }

    /// The contents of the root directory file `name`, or nil.
    public func contents(of name: String) -> Data? {
        guard let entry = entries.first(where: { $0.name == name && !$0.isDirectory }) else { return nil }
        if entry.size == 0 { return Data() }
        let start = data.startIndex + entry.extent * ISO9660Writer.sectorSize
        return data.subdata(in: start ..< start + entry.size)
    }

    static func decodeUCS2(_ bytes: [UInt8]) -> String {
        var units = [UInt16]()
        var i = 0
        while i + 1 < bytes.count {
            units.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}
