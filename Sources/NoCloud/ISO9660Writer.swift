import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Writes a small ISO9660 (ECMA-119) image with a Joliet supplementary volume:
/// one flat root directory of files, as a NoCloud seed needs.
///
/// Layout, in 2048-byte sectors:
///
/// | sector | content |
/// | --- | --- |
/// | 0–15 | system area (zeros) |
/// | 16 | primary volume descriptor (level 1 names, e.g. `USER_DAT.;1`) |
/// | 17 | Joliet supplementary volume descriptor (escape `%/E`, UCS-2 names `user-data`) |
/// | 18 | volume descriptor set terminator |
/// | 19, 20 | primary path table, little-endian (L) then big-endian (M) |
/// | 21, 22 | Joliet path table, L then M |
/// | 23… | primary root directory, then Joliet root directory (each as many sectors as needed) |
/// | … | file contents, each starting on a sector, in name order; empty files have extent 0 |
///
/// The same files, label and date always give the same bytes.
public struct ISO9660Writer: Sendable {
    /// A file of the root directory.
    public struct File: Equatable, Sendable {
        /// The name as Joliet (and so Linux and cloud-init) shows it, e.g. `user-data`.
        public var name: String
        public var contents: Data

        public init(name: String, contents: Data) {
            self.name = name
            self.contents = contents
        }
    }

    public static let sectorSize = 2048
    /// Longest Joliet name, in UCS-2 characters.
    public static let maxNameLength = 64

    /// The volume label; `cidata` for a NoCloud seed.
    public var volumeLabel: String
    public var files: [File]
    /// Written into every volume and directory date field.
    public var date: Date

    public init(volumeLabel: String = "cidata", files: [File] = [], date: Date) {
        self.volumeLabel = volumeLabel
        self.files = files
        self.date = date
    }

    /// Adds a file named `name` (see ``File/name``).
    public mutating func add(_ name: String, _ contents: Data) {
        files.append(File(name: name, contents: contents))
    }

    /// Adds a file holding `text` in UTF-8.
    public mutating func add(_ name: String, text: String) {
        add(name, Data(text.utf8))
    }

    /// The image.
    ///
    /// Throws ``NoCloudError`` for a label that is empty, longer than 16
    /// characters or not printable ASCII, and for file names that are empty, `.`,
    /// `..`, longer than 64 characters, duplicated, or hold a control character,
    /// a character outside the Basic Multilingual Plane or one of `* / : ; ? \`.
    public func image() throws -> Data {
        try validate()
        return build()
    }

    /// Writes ``image()`` to `path`, atomically.
    public func write(to path: String) throws {
        try image().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    // MARK: - Validation

    func validate() throws {
        if volumeLabel.isEmpty || volumeLabel.unicodeScalars.count > 16
            || !volumeLabel.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F }) {
            throw NoCloudError(field: "volumeLabel", rule: "must be 1 to 16 printable ASCII characters without spaces")
        }
        var seen = Set<String>()
        for file in files {
            let field = "file \(file.name.debugDescription)"
            let units = Array(file.name.utf16)
            if units.isEmpty || file.name == "." || file.name == ".." {
                throw NoCloudError(field: field, rule: "name must not be empty, . or ..")
            }
            if units.count > Self.maxNameLength {
                throw NoCloudError(field: field, rule: "name must be at most \(Self.maxNameLength) characters (Joliet)")
            }
            for scalar in file.name.unicodeScalars {
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value > 0xFFFF
                    || "*/:;?\\".unicodeScalars.contains(scalar) {
                    throw NoCloudError(
                        field: field,
                        rule: "name must not hold control characters, characters beyond U+FFFF or any of * / : ; ? \\")
                }
            }
            if file.contents.count > Int(UInt32.max) {
                throw NoCloudError(field: field, rule: "must be smaller than 4 GiB (no multi-extent files)")
            }
            if !seen.insert(file.name).inserted {
                throw NoCloudError(field: field, rule: "name appears twice")
            }
        }
    }

    // MARK: - Layout

    private struct Entry {
        var primaryID: [UInt8]
        var jolietID: [UInt8]
        var contents: Data
        var extent: UInt32 = 0
    }

    private static let firstPathTableSector = 19

    private func build() -> Data {
        let sector = Self.sectorSize
        var entries = files.map { file in
            Entry(primaryID: [], jolietID: Self.jolietIdentifier(file.name), contents: file.contents)
        }
        let primaryNames = Self.primaryIdentifiers(files.map(\.name))
        for index in entries.indices { entries[index].primaryID = primaryNames[index] }

        let primaryOrder = entries.indices.sorted { entries[$0].primaryID.lexicographicallyPrecedes(entries[$1].primaryID) }
        let jolietOrder = entries.indices.sorted { entries[$0].jolietID.lexicographicallyPrecedes(entries[$1].jolietID) }

        let primaryDirSectors = Self.directorySectors(primaryOrder.map { entries[$0].primaryID.count })
        let jolietDirSectors = Self.directorySectors(jolietOrder.map { entries[$0].jolietID.count })
        let primaryDir = Self.firstPathTableSector + 4
        let jolietDir = primaryDir + primaryDirSectors
        var next = jolietDir + jolietDirSectors
        // Contents in Joliet name order (the order people read them in).
        for index in jolietOrder where !entries[index].contents.isEmpty {
            entries[index].extent = UInt32(next)
            next += (entries[index].contents.count + sector - 1) / sector
        }
        let totalSectors = next

        var image = Data(count: totalSectors * sector)
        func put(_ bytes: [UInt8], atSector s: Int, offset: Int = 0) {
            image.replaceSubrange(s * sector + offset ..< s * sector + offset + bytes.count, with: bytes)
        }

        let stamp = DateStamp(date)
        put(volumeDescriptor(joliet: false, totalSectors: totalSectors, pathTable: 19, root: primaryDir,
                             rootSectors: primaryDirSectors, stamp: stamp), atSector: 16)
        put(volumeDescriptor(joliet: true, totalSectors: totalSectors, pathTable: 21, root: jolietDir,
                             rootSectors: jolietDirSectors, stamp: stamp), atSector: 17)
        put([255] + Array("CD001".utf8) + [1], atSector: 18)
        put(Self.pathTable(root: primaryDir, bigEndian: false), atSector: 19)
        put(Self.pathTable(root: primaryDir, bigEndian: true), atSector: 20)
        put(Self.pathTable(root: jolietDir, bigEndian: false), atSector: 21)
        put(Self.pathTable(root: jolietDir, bigEndian: true), atSector: 22)
        put(Self.directory(root: primaryDir, sectors: primaryDirSectors, stamp: stamp,
                           records: primaryOrder.map { (entries[$0].primaryID, entries[$0].extent, entries[$0].contents.count) }),
            atSector: primaryDir)
        put(Self.directory(root: jolietDir, sectors: jolietDirSectors, stamp: stamp,
                           records: jolietOrder.map { (entries[$0].jolietID, entries[$0].extent, entries[$0].contents.count) }),
            atSector: jolietDir)
        for entry in entries where !entry.contents.isEmpty {
            image.replaceSubrange(Int(entry.extent) * sector ..< Int(entry.extent) * sector + entry.contents.count,
                                  with: entry.contents)
        }
        return image
    }

    /// Sectors a root directory needs: `.` and `..` (34 bytes each), then one
    /// record per identifier length; a record never crosses a sector boundary.
    private static func directorySectors(_ identifierLengths: [Int]) -> Int {
        var sectors = 1
        var used = 68
        for length in identifierLengths {
            let size = recordSize(identifierLength: length)
            if used + size > sectorSize {
                sectors += 1
                used = 0
            }
            used += size
        }
        return sectors
    }

    private static func recordSize(identifierLength: Int) -> Int {
        33 + identifierLength + (identifierLength % 2 == 0 ? 1 : 0)
    }

    private static func directory(root: Int, sectors: Int, stamp: DateStamp,
                                  records: [(id: [UInt8], extent: UInt32, size: Int)]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(sectors * sectorSize)
        let dirSize = sectors * sectorSize
        bytes += record(id: [0], extent: UInt32(root), size: dirSize, directory: true, stamp: stamp)
        bytes += record(id: [1], extent: UInt32(root), size: dirSize, directory: true, stamp: stamp)
        for entry in records {
            let rec = record(id: entry.id, extent: entry.extent, size: entry.size, directory: false, stamp: stamp)
            let used = bytes.count % sectorSize
            if used + rec.count > sectorSize {
                bytes += [UInt8](repeating: 0, count: sectorSize - used)
            }
            bytes += rec
        }
        return bytes
    }

    /// A directory record (ECMA-119 9.1).
    private static func record(id: [UInt8], extent: UInt32, size: Int, directory: Bool, stamp: DateStamp) -> [UInt8] {
        var r = [UInt8]()
        r.append(UInt8(recordSize(identifierLength: id.count)))
        r.append(0)  // extended attribute record length
        r += bothEndian32(extent)
        r += bothEndian32(UInt32(size))
        r += stamp.directoryForm
        r.append(directory ? 0x02 : 0x00)
        r += [0, 0]  // file unit size, interleave gap
        r += bothEndian16(1)  // volume sequence number
        r.append(UInt8(id.count))
        r += id
        if id.count % 2 == 0 { r.append(0) }
        return r
    }

    /// A path table holding only the root directory (ECMA-119 9.4).
    private static func pathTable(root: Int, bigEndian: Bool) -> [UInt8] {
        var t: [UInt8] = [1, 0]
        t += bigEndian ? be32(UInt32(root)) : le32(UInt32(root))
        t += bigEndian ? [0, 1] : [1, 0]  // parent directory number
        t += [0, 0]  // identifier 0x00 and the padding byte
        return t
    }

    /// Size in bytes of ``pathTable(root:bigEndian:)``.
    private static let pathTableSize: UInt32 = 10

    private func volumeDescriptor(joliet: Bool, totalSectors: Int, pathTable: Int, root: Int,
                                  rootSectors: Int, stamp: DateStamp) -> [UInt8] {
        var d = [UInt8](repeating: 0, count: Self.sectorSize)
        func set(_ bytes: [UInt8], at offset: Int) { d.replaceSubrange(offset ..< offset + bytes.count, with: bytes) }
        func text(_ s: String, length: Int) -> [UInt8] {
            joliet ? Self.ucs2Padded(s, length: length) : Self.asciiPadded(s, length: length)
        }
        set([joliet ? 2 : 1] + Array("CD001".utf8) + [1], at: 0)
        set(text("LINUX", length: 32), at: 8)  // system identifier
        set(text(volumeLabel, length: 32), at: 40)
        set(Self.bothEndian32(UInt32(totalSectors)), at: 80)
        if joliet { set(Array("%/E".utf8), at: 88) }  // UCS-2 level 3
        set(Self.bothEndian16(1), at: 120)  // volume set size
        set(Self.bothEndian16(1), at: 124)  // volume sequence number
        set(Self.bothEndian16(UInt16(Self.sectorSize)), at: 128)
        set(Self.bothEndian32(Self.pathTableSize), at: 132)
        set(Self.le32(UInt32(pathTable)), at: 140)
        set(Self.be32(UInt32(pathTable + 1)), at: 148)
        set(Self.record(id: [0], extent: UInt32(root), size: rootSectors * Self.sectorSize, directory: true, stamp: stamp),
            at: 156)
        set(text("", length: 128), at: 190)  // volume set
        set(text("", length: 128), at: 318)  // publisher
        set(text("", length: 128), at: 446)  // data preparer
        set(text("VMCTL", length: 128), at: 574)  // application
        set(text("", length: 37), at: 702)  // copyright file
        set(text("", length: 37), at: 739)  // abstract file
        set(text("", length: 37), at: 776)  // bibliographic file
        set(stamp.volumeForm, at: 813)  // creation
        set(stamp.volumeForm, at: 830)  // modification
        set(Array("0000000000000000".utf8) + [0], at: 847)  // expiration: none
        set(Array("0000000000000000".utf8) + [0], at: 864)  // effective: at once
        d[881] = 1  // file structure version
        if !joliet { set([UInt8](repeating: 0x20, count: 512), at: 883) }  // application use
        return d
    }

    // MARK: - Names

    /// Joliet identifier: the UCS-2 big-endian name, without a `;1` version
    /// (as genisoimage writes it; Linux and isoinfo show it as is).
    static func jolietIdentifier(_ name: String) -> [UInt8] {
        var bytes = [UInt8]()
        for unit in name.utf16 { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        return bytes
    }

    /// Level 1 identifiers (`NAME8.EXT;1`, d-characters only), made unique by
    /// replacing the end of the name part with a counter.
    static func primaryIdentifiers(_ names: [String]) -> [[UInt8]] {
        func dchars(_ s: Substring, max: Int) -> String {
            String(s.uppercased().map { c -> Character in
                (c.isASCII && (c.isLetter || c.isNumber)) ? c : "_"
            }.prefix(max))
        }
        var used = Set<String>()
        return names.map { name in
            var base = Substring(name)
            var ext = Substring("")
            if let dot = name.lastIndex(of: "."), dot != name.startIndex {
                base = name[..<dot]
                ext = name[name.index(after: dot)...]
            }
            let stem = dchars(base, max: 8)
            let suffix = dchars(ext, max: 3)
            var candidate = "\(stem.isEmpty ? "_" : stem).\(suffix)"
            var counter = 1
            while used.contains(candidate) {
                let digits = String(counter)
                candidate = "\(stem.prefix(8 - digits.count))\(digits).\(suffix)"
                counter += 1
            }
            used.insert(candidate)
            return Array((candidate + ";1").utf8)
        }
    }

    private static func asciiPadded(_ s: String, length: Int) -> [UInt8] {
        let bytes = Array(s.utf8.prefix(length))
        return bytes + [UInt8](repeating: 0x20, count: length - bytes.count)
    }

    /// UCS-2 big-endian, padded with U+0020; an odd final byte is 0.
    private static func ucs2Padded(_ s: String, length: Int) -> [UInt8] {
        var bytes = [UInt8]()
        for unit in s.utf16.prefix(length / 2) { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        while bytes.count + 2 <= length { bytes += [0x00, 0x20] }
        if bytes.count < length { bytes.append(0) }
        return bytes
    }

    // MARK: - Numbers

    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
    static func be32(_ v: UInt32) -> [UInt8] { le32(v).reversed() }
    static func bothEndian32(_ v: UInt32) -> [UInt8] { le32(v) + be32(v) }
    static func bothEndian16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8), UInt8(v >> 8), UInt8(v & 0xFF)] }
}

/// A date in the two forms ECMA-119 uses, in UTC.
struct DateStamp {
    let year, month, day, hour, minute, second: Int

    init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        // Not TimeZone(identifier: "UTC"): without Foundation's ICU-backed zones
        // (FoundationEssentials only, as vmctl is built) named zones are nil.
        calendar.timeZone = .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        // The directory form counts years from 1900 in one byte: clamp to 1900…2155.
        year = min(max(c.year ?? 1970, 1900), 2155)
        month = c.month ?? 1
        day = c.day ?? 1
        hour = c.hour ?? 0
        minute = c.minute ?? 0
        second = c.second ?? 0
    }

    /// 7 bytes (ECMA-119 9.1.5): years since 1900, month, day, hour, minute, second, UTC offset 0.
    var directoryForm: [UInt8] {
        [UInt8(year - 1900), UInt8(month), UInt8(day), UInt8(hour), UInt8(minute), UInt8(second), 0]
    }

    /// 17 bytes (ECMA-119 8.4.26.1): `YYYYMMDDHHMMSScc` in digits, then UTC offset 0.
    var volumeForm: [UInt8] {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let digits = "\(year)" + two(month) + two(day) + two(hour) + two(minute) + two(second) + "00"
        return Array(digits.utf8) + [0]
    }
}
