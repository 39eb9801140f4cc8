import FoundationEssentials

/// What an image file's first bytes say about it: its format, read from the
/// header's magic (never from the file's name), and for the formats that can
/// point at other files, every name they point at. Pure: bytes in, facts out;
/// `ImageInspector` does the reading and decides what is refused.
///
/// Modelled on what QEMU's block drivers read (qcow2's header and header
/// extensions, vmdk's descriptor) and on what OpenStack's format inspector
/// (oslo.utils `imageutils.format_inspector`) checks.
public struct ImageHeader: Sendable, Equatable {
    /// The formats told apart by their magic. Anything else is raw.
    public enum Format: String, Sendable, Equatable {
        case raw, qcow2, qcow, qed, vmdk, vhd, vhdx, vdi, luks, parallels, bochs
    }

    public var format: Format
    /// The guest-visible size the header states; nil for raw (the file's size is the disk's).
    public var virtualSize: UInt64?
    /// qcow2: the backing file's name as written (absolute, or relative to the image's folder).
    public var backingFile: String?
    /// qcow2: the backing file's format, from the backing-format header extension.
    public var backingFormat: String?
    /// qcow2: the external data file's name (header extension), or "" when only
    /// the incompatible feature bit says there is one.
    public var dataFile: String?
    /// qcow2: a non-zero crypt_method (the old built-in AES or LUKS inside qcow2).
    public var encrypted = false
    /// vmdk: the descriptor's `createType`.
    public var vmdkCreateType: String?
    /// vmdk: the file names of the descriptor's extent lines.
    public var vmdkExtents: [String] = []
    /// vmdk: the descriptor's `parentFileNameHint` (a backing file).
    public var vmdkParent: String?

    public init(format: Format) { self.format = format }

    /// Why a header could not be read; the inspector names the file.
    public struct Malformed: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// How far into the file a header may point (a qcow2 cluster is at most 2 MiB,
    /// and QEMU keeps the backing name and header extensions in the first one).
    public static let readLimit = 2 << 20

    /// Reads the header in `bytes`, the first bytes of the file (up to `readLimit`).
    public static func parse(_ bytes: [UInt8]) throws(Malformed) -> ImageHeader {
        let reader = ByteReader(bytes)
        if reader.matches("QFI\u{FB}", at: 0) {
            let version = reader.u32(at: 4) ?? 0
            return version == 1 ? ImageHeader(format: .qcow) : try parseQcow2(reader)
        }
        if reader.matches("KDMV", at: 0) { return try parseSparseVMDK(reader) }
        if reader.matches("COWD", at: 0) { return ImageHeader(format: .vmdk) }
        if let text = textDescriptor(bytes) { return parseVMDKDescriptor(text) }
        let magics: [(String, Int, Format)] = [
            ("QED\u{0}", 0, .qed), ("conectix", 0, .vhd), ("vhdxfile", 0, .vhdx), ("LUKS\u{BA}\u{BE}", 0, .luks),
            ("WithoutFreeSpace", 0, .parallels), ("WithouFreSpacExt", 0, .parallels), ("Bochs Virtual HD Image", 32, .bochs),
        ]
        for (magic, offset, format) in magics where reader.matches(magic, at: offset) { return ImageHeader(format: format) }
        // VDI: a little-endian signature at 0x40.
        if reader.u32le(at: 0x40) == 0xBEDA_107F { return ImageHeader(format: .vdi) }
        return ImageHeader(format: .raw)
    }

    /// qcow2 (versions 2 and 3): header fields, then the header extensions that
    /// follow it (from byte 72, or `header_length` in version 3), up to the end marker.
    static func parseQcow2(_ reader: ByteReader) throws(Malformed) -> ImageHeader {
        guard let version = reader.u32(at: 4), version == 2 || version == 3,
              let backingOffset = reader.u64(at: 8), let backingSize = reader.u32(at: 16),
              let size = reader.u64(at: 24), let crypt = reader.u32(at: 32) else {
            throw Malformed(description: "its qcow2 header is cut short or of an unknown version")
        }
        var header = ImageHeader(format: .qcow2)
        header.virtualSize = size
        header.encrypted = crypt != 0
        var extensionsStart = 72
        if version == 3 {
            guard let incompatible = reader.u64(at: 72), let length = reader.u32(at: 100) else {
                throw Malformed(description: "its qcow2 version 3 header is cut short")
            }
            // Bit 2: an external data file holds the guest's data.
            if incompatible & (1 << 2) != 0 { header.dataFile = "" }
            extensionsStart = Int(length)
        }
        if backingOffset != 0 {
            guard backingSize > 0, backingSize <= 1023, backingOffset < UInt64(readLimit),
                  let name = reader.string(at: Int(backingOffset), count: Int(backingSize)) else {
                throw Malformed(description: "its backing file name is out of bounds or not UTF-8")
            }
            header.backingFile = name
        }
        var offset = (extensionsStart + 7) & ~7
        while true {
            guard let type = reader.u32(at: offset), let length = reader.u32(at: offset + 4) else {
                throw Malformed(description: "its qcow2 header extensions run past the first \(readLimit >> 20) MiB")
            }
            if type == 0 { break }
            let data = offset + 8
            guard reader.has(data, Int(length)) else { throw Malformed(description: "a qcow2 header extension runs past the file's start") }
            switch type {
            case 0xE279_2ACA: header.backingFormat = reader.string(at: data, count: Int(length)) ?? "?"
            case 0x4441_5441: header.dataFile = reader.string(at: data, count: Int(length)) ?? "?"
            default: break
            }
            offset = (data + Int(length) + 7) & ~7
        }
        return header
    }

    /// A hosted sparse vmdk ("KDMV"): capacity in sectors, and the embedded
    /// descriptor at `descriptorOffset` sectors, `descriptorSize` sectors long.
    static func parseSparseVMDK(_ reader: ByteReader) throws(Malformed) -> ImageHeader {
        guard let capacity = reader.u64le(at: 12), let offset = reader.u64le(at: 28), let size = reader.u64le(at: 36) else {
            throw Malformed(description: "its vmdk header is cut short")
        }
        var header = ImageHeader(format: .vmdk)
        if offset > 0 && size > 0 {
            let start = offset.multipliedReportingOverflow(by: 512), count = size.multipliedReportingOverflow(by: 512)
            guard !start.overflow, !count.overflow, start.partialValue < UInt64(readLimit), count.partialValue <= UInt64(readLimit),
                  reader.has(Int(start.partialValue), Int(count.partialValue)) else {
                throw Malformed(description: "its vmdk descriptor lies past the first \(readLimit >> 20) MiB")
            }
            let bytes = reader.bytes[Int(start.partialValue)..<Int(start.partialValue + count.partialValue)]
            let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            header = parseVMDKDescriptor(text)
        }
        header.virtualSize = capacity.multipliedReportingOverflow(by: 512).partialValue
        return header
    }

    /// A vmdk text descriptor: `createType="…"`, `parentFileNameHint="…"` and
    /// extent lines such as `RW 2048 FLAT "disk-flat.vmdk" 0`.
    static func parseVMDKDescriptor(_ text: String) -> ImageHeader {
        var header = ImageHeader(format: .vmdk)
        for line in text.split(whereSeparator: \.isNewline) {
            let line = trimmed(line)
            if line.hasPrefix("createType=") {
                header.vmdkCreateType = quoted(line) ?? String(line.dropFirst("createType=".count))
            } else if line.hasPrefix("parentFileNameHint=") {
                header.vmdkParent = quoted(line)
            } else if ["RW ", "RDONLY ", "NOACCESS "].contains(where: line.hasPrefix), let name = quoted(line) {
                header.vmdkExtents.append(name)
            }
        }
        return header
    }

    /// A text vmdk descriptor as QEMU's probe finds one: the first line that is
    /// neither blank nor a comment is `version=1`, `2` or `3`.
    static func textDescriptor(_ bytes: [UInt8]) -> String? {
        let head = bytes.prefix(64 << 10)
        guard let text = String(validating: head.prefix { $0 != 0 }, as: UTF8.self) else { return nil }
        let first = text.split(whereSeparator: \.isNewline)
            .map(trimmed)
            .first { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let first, ["version=1", "version=2", "version=3"].contains(where: first.hasPrefix) else { return nil }
        return text
    }

    static func trimmed(_ line: Substring) -> String {
        String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// The text between the first pair of double quotes.
    static func quoted(_ line: String) -> String? {
        let parts = line.split(separator: "\"", omittingEmptySubsequences: false)
        return parts.count >= 3 ? String(parts[1]) : nil
    }
}

/// Bounds-checked reads of big- and little-endian fields: a short or hostile
/// header gives nil, never a trap.
struct ByteReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func has(_ offset: Int, _ count: Int) -> Bool { offset >= 0 && count >= 0 && offset <= bytes.count - count }

    func matches(_ magic: String, at offset: Int) -> Bool {
        let expected = magic.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        return has(offset, expected.count) && bytes[offset..<offset + expected.count].elementsEqual(expected)
    }

    private func value(at offset: Int, count: Int, bigEndian: Bool) -> UInt64? {
        guard has(offset, count) else { return nil }
        let slice = bytes[offset..<offset + count]
        let ordered = bigEndian ? Array(slice) : slice.reversed()
        return ordered.reduce(0) { $0 << 8 | UInt64($1) }
    }

    func u32(at offset: Int) -> UInt32? { value(at: offset, count: 4, bigEndian: true).map { UInt32($0) } }
    func u64(at offset: Int) -> UInt64? { value(at: offset, count: 8, bigEndian: true) }
    func u32le(at offset: Int) -> UInt32? { value(at: offset, count: 4, bigEndian: false).map { UInt32($0) } }
    func u64le(at offset: Int) -> UInt64? { value(at: offset, count: 8, bigEndian: false) }

    func string(at offset: Int, count: Int) -> String? {
        guard has(offset, count) else { return nil }
        return String(validating: bytes[offset..<offset + count], as: UTF8.self)
    }
}
