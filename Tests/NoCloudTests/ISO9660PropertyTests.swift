import Foundation
import NoCloud
import Testing

/// Random file sets, from a seeded generator so that a failure repeats:
/// 0–40 files with names of 1–64 characters (so directories span several
/// sectors), sizes from empty through several sectors.
@Suite struct ISO9660PropertyTests {
    static let nameCharacters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+ ~é")

    static func randomFiles(_ rng: inout SeededRNG) -> [ISO9660Writer.File] {
        let count = Int.random(in: 0 ... 40, using: &rng)
        var names = Set<String>()
        var files = [ISO9660Writer.File]()
        while files.count < count {
            let length = [1, 8, 12, 64, Int.random(in: 1 ... 64, using: &rng)].randomElement(using: &rng)!
            let name = String((0 ..< length).map { _ in nameCharacters.randomElement(using: &rng)! })
            guard name != ".", name != "..", names.insert(name).inserted else { continue }
            let size = [0, 1, 2047, 2048, 2049, 4096, Int.random(in: 0 ... 9000, using: &rng)].randomElement(using: &rng)!
            let bytes = (0 ..< size).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            files.append(.init(name: name, contents: Data(bytes)))
        }
        return files
    }

    @Test(arguments: 1 ... 30 as ClosedRange<UInt64>)
    func roundTripThroughOwnReader(seed: UInt64) throws {
        var rng = SeededRNG(seed: seed)
        let files = Self.randomFiles(&rng)
        let writer = ISO9660Writer(files: files, date: Date(timeIntervalSince1970: Double(seed) * 86_400 * 97))
        let image = try writer.image()
        #expect(image.count % 2048 == 0)
        #expect(try writer.image() == image)
        let reader = try ISO9660Reader(data: image)
        #expect(reader.volumeLabel == "cidata")
        #expect(reader.volumeSectors * 2048 == image.count)
        #expect(Set(reader.fileNames) == Set(files.map(\.name)))
        #expect(reader.fileNames.count == files.count)
        #expect(Set(reader.entries.map(\.primaryName)).count == files.count)
        for file in files {
            #expect(reader.contents(of: file.name) == file.contents, "\(file.name) (\(file.contents.count) bytes)")
        }
        // Joliet directory order is by UCS-2 code units.
        let order = reader.fileNames.map { Array($0.utf16) }
        #expect(zip(order, order.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) })
    }

    @Test(arguments: 101 ... 108 as ClosedRange<UInt64>)
    func roundTripThroughIsoinfo(seed: UInt64) throws {
        var rng = SeededRNG(seed: seed)
        let files = Self.randomFiles(&rng)
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/r.iso"
        try ISO9660Writer(files: files, date: fixedDate).write(to: path)

        let list = try runTool("isoinfo", ["-J", "-f", "-i", path])
        #expect(list.status == 0, "\(list.stderr)")
        // isoinfo writes Joliet names in ISO-8859-1 (it knows no UTF-8), hence é as one byte.
        let listed = String(data: list.stdout, encoding: .isoLatin1) ?? ""
        #expect(listed.split(separator: "\n").map(String.init).sorted() == files.map { "/" + $0.name }.sorted())
        let primary = try runTool("isoinfo", ["-f", "-i", path])
        #expect(primary.text.split(separator: "\n").count == files.count)
        // isoinfo -x matches its ISO-8859-1 names against the argument, so only ASCII names
        // can be asked for from here; check up to 6 files.
        for file in files.filter({ $0.name.allSatisfy(\.isASCII) }).prefix(6) {
            let extracted = try runTool("isoinfo", ["-J", "-x", "/" + file.name, "-i", path])
            #expect(extracted.status == 0)
            #expect(extracted.stdout == file.contents, "\(file.name) (\(file.contents.count) bytes)")
        }
        let probe = try runTool("blkid", ["-p", "-o", "export", path])
        #expect(probe.text.contains("LABEL=cidata") && probe.text.contains("TYPE=iso9660"))
    }
}
