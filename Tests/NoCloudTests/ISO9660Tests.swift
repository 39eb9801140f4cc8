import Foundation
import NoCloud
import Testing

@Suite struct ISO9660Tests {
    func seedWriter() -> ISO9660Writer {
        var w = ISO9660Writer(date: fixedDate)
        w.add("user-data", text: "#cloud-config\nhostname: alpha\n")
        w.add("meta-data", text: "instance-id: i-1\nlocal-hostname: alpha\n")
        w.add("network-config", text: "version: 2\n")
        return w
    }

    @Test func ownReaderReadsLabelNamesAndContents() throws {
        let image = try seedWriter().image()
        #expect(image.count % 2048 == 0)
        let r = try ISO9660Reader(data: image)
        #expect(r.volumeLabel == "cidata")
        #expect(r.jolietVolumeLabel == "cidata")
        #expect(r.volumeSectors * 2048 == image.count)
        #expect(r.fileNames == ["meta-data", "network-config", "user-data"])
        #expect(Set(r.entries.map(\.primaryName)) == ["META_DAT.;1", "NETWORK_.;1", "USER_DAT.;1"])
        #expect(r.contents(of: "user-data") == Data("#cloud-config\nhostname: alpha\n".utf8))
        #expect(r.contents(of: "meta-data") == Data("instance-id: i-1\nlocal-hostname: alpha\n".utf8))
        #expect(r.contents(of: "nope") == nil)
    }

    @Test func sameInputSameBytes() throws {
        let a = try seedWriter().image()
        let b = try seedWriter().image()
        #expect(a == b)
        var later = seedWriter()
        later.date = fixedDate.addingTimeInterval(1)
        #expect(try later.image() != a)
    }

    @Test func layoutIsTheDocumentedOne() throws {
        let bytes = [UInt8](try seedWriter().image())
        func at(_ sector: Int, _ offset: Int = 0) -> UInt8 { bytes[sector * 2048 + offset] }
        #expect(bytes[0 ..< 16 * 2048].allSatisfy { $0 == 0 })
        #expect(at(16) == 1 && at(17) == 2 && at(18) == 255)
        #expect(Array(bytes[17 * 2048 + 88 ..< 17 * 2048 + 91]) == Array("%/E".utf8))
        #expect(String(decoding: bytes[16 * 2048 + 40 ..< 16 * 2048 + 72], as: UTF8.self)
                == "cidata" + String(repeating: " ", count: 26))
        // Volume dates: 2023-11-14 22:13:20 UTC
        #expect(String(decoding: bytes[16 * 2048 + 813 ..< 16 * 2048 + 829], as: UTF8.self) == "2023111422132000")
        // Path tables: L at 19, M at 20, both naming the root at sector 23.
        #expect(Array(bytes[19 * 2048 ..< 19 * 2048 + 10]) == [1, 0, 23, 0, 0, 0, 1, 0, 0, 0])
        #expect(Array(bytes[20 * 2048 ..< 20 * 2048 + 10]) == [1, 0, 0, 0, 0, 23, 0, 1, 0, 0])
        #expect(Array(bytes[21 * 2048 ..< 21 * 2048 + 10]) == [1, 0, 24, 0, 0, 0, 1, 0, 0, 0])
        // Three one-sector files after the two directories: 25 + 3 = 28 sectors.
        #expect(bytes.count == 28 * 2048)
    }

    @Test func rejectsBadNamesAndLabels() {
        func error(_ w: ISO9660Writer) -> String? {
            do { _ = try w.image(); return nil } catch { return "\(error)" }
        }
        var w = ISO9660Writer(date: fixedDate)
        w.add("a/b", text: "")
        #expect(error(w)?.hasPrefix("file \"a/b\": name must not hold") == true)
        w = ISO9660Writer(date: fixedDate)
        w.add("same", text: "")
        w.add("same", text: "x")
        #expect(error(w) == "file \"same\": name appears twice")
        w = ISO9660Writer(date: fixedDate)
        w.add(String(repeating: "x", count: 65), text: "")
        #expect(error(w)?.contains("at most 64") == true)
        w = ISO9660Writer(volumeLabel: "", date: fixedDate)
        #expect(error(w)?.hasPrefix("volumeLabel:") == true)
        w = ISO9660Writer(volumeLabel: "with space", date: fixedDate)
        #expect(error(w)?.hasPrefix("volumeLabel:") == true)
    }

    @Test func readerRejectsGarbage() {
        #expect(throws: NoCloudError.self) { try ISO9660Reader(data: Data(count: 40 * 2048)) }
        #expect(throws: NoCloudError.self) { try ISO9660Reader(data: Data(count: 100)) }
    }

    @Test func primaryNamesStayUniqueAfterTruncation() throws {
        var w = ISO9660Writer(date: fixedDate)
        for name in ["vendor-data", "vendor-data2", "Vendor_Data", "vendor.data.txt", ".hidden", "a"] {
            w.add(name, text: name)
        }
        let r = try ISO9660Reader(data: w.image())
        #expect(Set(r.entries.map(\.primaryName)).count == 6)
        for name in ["vendor-data", "vendor-data2", "Vendor_Data", "vendor.data.txt", ".hidden", "a"] {
            #expect(r.contents(of: name) == Data(name.utf8))
        }
        for id in r.entries.map(\.primaryName) {
            let parts = id.dropLast(2).split(separator: ".", omittingEmptySubsequences: false)
            #expect(parts.count == 2 && parts[0].count <= 8 && parts[1].count <= 3, "\(id)")
            #expect(id.allSatisfy { $0.isUppercase || $0.isNumber || "_.;".contains($0) }, "\(id)")
        }
    }
}

/// The same images as read by tools that share no code with vmctl.
@Suite struct ISO9660ToolTests {
    func writeSeed(_ dir: String) throws -> (path: String, userData: Data) {
        var w = ISO9660Writer(date: fixedDate)
        let userData = Data("#cloud-config\nhostname: alpha\nruncmd:\n- [echo, 'ü ✓']\n".utf8)
        w.add("user-data", userData)
        w.add("meta-data", text: "instance-id: i-1\nlocal-hostname: alpha\n")
        let path = dir + "/seed.iso"
        try w.write(to: path)
        return (path, userData)
    }

    @Test func isoinfoShowsLabelFilesAndBytes() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (path, userData) = try writeSeed(dir)

        let info = try runTool("isoinfo", ["-d", "-i", path])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.text.contains("Volume id: cidata"), "\(info.text)")
        #expect(info.text.contains("Joliet with UCS level 3 found"), "\(info.text)")

        let list = try runTool("isoinfo", ["-J", "-f", "-i", path])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.text.split(separator: "\n").sorted() == ["/meta-data", "/user-data"], "\(list.text)")

        let long = try runTool("isoinfo", ["-J", "-l", "-i", path])
        #expect(long.text.contains("user-data") && long.text.contains("meta-data"), "\(long.text)")

        let extracted = try runTool("isoinfo", ["-J", "-x", "/user-data", "-i", path])
        #expect(extracted.status == 0)
        #expect(extracted.stdout == userData)

        // Without Joliet, isoinfo sees the level 1 names.
        let primary = try runTool("isoinfo", ["-f", "-i", path])
        #expect(primary.text.split(separator: "\n").sorted() == ["/META_DAT.;1", "/USER_DAT.;1"], "\(primary.text)")
    }

    /// The reader is not tuned to the writer: it reads genisoimage's images
    /// (Joliet and Rock Ridge, as Docs/test-guest.md makes seeds) too.
    @Test func ownReaderReadsGenisoimageImages() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = ["user-data": Data("#cloud-config\n".utf8), "meta-data": Data("instance-id: x\n".utf8),
                     "network-config": Data(repeating: 0x41, count: 5000), "empty": Data()]
        for (name, data) in files { try data.write(to: URL(fileURLWithPath: dir + "/" + name)) }
        let iso = dir + "/g.iso"
        let run = try runTool("genisoimage", ["-quiet", "-o", iso, "-V", "cidata", "-J", "-r"]
                              + files.keys.sorted().map { dir + "/" + $0 })
        #expect(run.status == 0, "\(run.stderr)")
        let reader = try ISO9660Reader(contentsOf: iso)
        #expect(reader.volumeLabel == "cidata")
        #expect(Set(reader.fileNames) == Set(files.keys))
        for (name, data) in files { #expect(reader.contents(of: name) == data, "\(name)") }
    }

    @Test func blkidShowsLabelAndType() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (path, _) = try writeSeed(dir)
        let probe = try runTool("blkid", ["-p", "-o", "export", path])
        #expect(probe.status == 0, "\(probe.stderr)")
        let lines = Set(probe.text.split(separator: "\n").map(String.init))
        #expect(lines.contains("LABEL=cidata"), "\(probe.text)")
        #expect(lines.contains("TYPE=iso9660"), "\(probe.text)")
        let cached = try runTool("blkid", ["-o", "export", path])
        #expect(cached.text.contains("LABEL=cidata") && cached.text.contains("TYPE=iso9660"), "\(cached.text)")
    }
}
