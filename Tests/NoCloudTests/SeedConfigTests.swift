import Foundation
import NoCloud
import Testing
import Yams

let edKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0aTqjTq5zCq1R0w3mJ0yq7cR9pQWqHqv1pRr3lZ8a alice@lab"
let rsaKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 bob"

/// Every setting set.
func fullConfig() -> SeedConfig {
    SeedConfig(
        hostname: "web1",
        fqdn: "web1.lab.example",
        instanceID: "vmctl-web1-0001",
        sshAuthorizedKeys: [edKey, rsaKey],
        users: [SeedConfig.User(name: "stack", sshAuthorizedKeys: [edKey], password: .hashed("$6$salt$abcdefghijklmnop"),
                                sudo: "ALL=(ALL) NOPASSWD:ALL", groups: ["wheel", "adm"], shell: "/bin/bash")],
        password: .plain("s3cret: #not a comment"),
        ntpServers: ["0.pool.ntp.org", "192.168.150.1", "fd00::1"],
        timezone: "Europe/Berlin",
        selinux: .permissive,
        packages: ["chrony", "python3-openstackclient", "yes"],
        runcmd: [.shell("echo hello > /tmp/hello"), .argv(["touch", "/tmp/a b"])],
        extraUserData: "write_files:\n- path: /etc/motd\n  content: lab\npackages: [git]\npackage_upgrade: true\n",
        staticNetwork: SeedConfig.StaticIPv4(mac: "52:54:00:AB:cd:01", address: "192.168.150.50", prefix: 24,
                                             gateway: "192.168.150.1", nameservers: ["192.168.150.1"],
                                             searchDomains: ["lab.example"])
    )
}

func minimalConfig() -> SeedConfig { SeedConfig(hostname: "m", instanceID: "i-1") }

/// Runs `cloud-init schema` on `userData`; returns its exit status and output.
func cloudInitSchema(_ userData: String) throws -> ToolRun {
    let dir = try makeTempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/user-data"
    try Data(userData.utf8).write(to: URL(fileURLWithPath: path))
    var run = try runTool("cloud-init", ["schema", "--config-file", path])
    run.stderr += run.text
    return run
}

@Suite struct CloudInitSchemaTests {
    @Test func fullConfigPasses() throws {
        let userData = try fullConfig().userData()
        let run = try cloudInitSchema(userData)
        #expect(run.status == 0, "\(run.stderr)\n\(userData)")
        #expect(run.stderr.contains("Valid cloud-config"), "\(run.stderr)")
    }

    @Test func minimalConfigPasses() throws {
        let userData = try minimalConfig().userData()
        #expect(userData == "#cloud-config\nhostname: m\n")
        let run = try cloudInitSchema(userData)
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test func invalidConfigFailsTheSameCheck() throws {
        // Proves the check is real: wrong types for keys the generated documents use.
        let run = try cloudInitSchema("#cloud-config\nhostname: [a, b]\nntp: 5\nssh_pwauth: {x: 1}\n")
        #expect(run.status != 0)
        #expect(run.stderr.contains("ntp"), "\(run.stderr)")
    }
}

@Suite struct UserDataTests {
    func load(_ userData: String) throws -> [String: Any] {
        #expect(userData.hasPrefix("#cloud-config\n"))
        return try #require(try Yams.load(yaml: userData) as? [String: Any])
    }

    @Test func fullConfigYAML() throws {
        let doc = try load(fullConfig().userData())
        #expect(doc["hostname"] as? String == "web1")
        #expect(doc["fqdn"] as? String == "web1.lab.example")
        #expect(doc["ssh_authorized_keys"] as? [String] == [edKey, rsaKey])
        #expect(doc["password"] as? String == "s3cret: #not a comment")
        #expect((doc["chpasswd"] as? [String: Any])?["expire"] as? Bool == false)
        #expect(doc["ssh_pwauth"] as? Bool == true)
        let ntp = try #require(doc["ntp"] as? [String: Any])
        #expect(ntp["enabled"] as? Bool == true)
        #expect(ntp["ntp_client"] as? String == "chrony")
        #expect(ntp["servers"] as? [String] == ["0.pool.ntp.org", "192.168.150.1", "fd00::1"])
        #expect(doc["timezone"] as? String == "Europe/Berlin")
        // Extra user-data: lists concatenate (generated first), new keys are added.
        #expect(doc["packages"] as? [String] == ["chrony", "python3-openstackclient", "yes", "git"])
        #expect(doc["package_upgrade"] as? Bool == true)
        #expect(((doc["write_files"] as? [Any])?.first as? [String: Any])?["path"] as? String == "/etc/motd")
        let users = try #require(doc["users"] as? [Any])
        #expect(users.first as? String == "default")
        let stack = try #require(users.last as? [String: Any])
        #expect(stack["name"] as? String == "stack")
        #expect(stack["hashed_passwd"] as? String == "$6$salt$abcdefghijklmnop")
        #expect(stack["lock_passwd"] as? Bool == false)
        #expect(stack["sudo"] as? String == "ALL=(ALL) NOPASSWD:ALL")
        #expect(stack["groups"] as? [String] == ["wheel", "adm"])
        let runcmd = try #require(doc["runcmd"] as? [Any])
        #expect(runcmd.count == 4)  // two for SELinux, then the user's
        let selinux = try #require(runcmd[0] as? [String])
        #expect(selinux[0] == "sh" && selinux[2].contains("SELINUX=permissive"))
        #expect((runcmd[1] as? [String])?[2].contains("setenforce 0") == true)
        #expect(runcmd[2] as? String == "echo hello > /tmp/hello")
        #expect(runcmd[3] as? [String] == ["touch", "/tmp/a b"])
    }

    @Test func selinuxModes() throws {
        for mode in SeedConfig.SELinuxMode.allCases {
            var c = minimalConfig()
            c.selinux = mode
            let doc = try load(c.userData())
            let runcmd = try #require(doc["runcmd"] as? [[String]])
            #expect(runcmd[0][2].contains("SELINUX=\(mode.rawValue)/"))
            #expect(runcmd[1][2].contains("setenforce \(mode == .enforcing ? 1 : 0)"))
        }
    }

    @Test func extraUserDataWinsForScalarsAndMergesMappings() throws {
        var c = minimalConfig()
        c.timezone = "UTC"
        c.ntpServers = ["ntp1.lab"]
        c.extraUserData = "#cloud-config\ntimezone: Asia/Tokyo\nntp:\n  servers: [ntp2.lab]\n  pools: [pool.lab]\nhostname: other\n"
        let doc = try load(c.userData())
        #expect(doc["timezone"] as? String == "Asia/Tokyo")
        #expect(doc["hostname"] as? String == "other")
        let ntp = try #require(doc["ntp"] as? [String: Any])
        #expect(ntp["servers"] as? [String] == ["ntp1.lab", "ntp2.lab"])
        #expect(ntp["pools"] as? [String] == ["pool.lab"])
        #expect(ntp["ntp_client"] as? String == "chrony")
        #expect(try cloudInitSchema(c.userData()).status == 0)
    }

    @Test func extraUserDataMustBeAMapping() {
        var c = minimalConfig()
        c.extraUserData = "- a\n- b\n"
        #expect(c.validationErrors().map(\.description) == ["extraUserData: must be a YAML mapping (key: value lines)"])
        c.extraUserData = "a: [b\n"
        #expect(c.validationErrors().first?.field == "extraUserData")
        #expect(c.validationErrors().first?.description.contains("\n") == false)
        c.extraUserData = ""
        #expect(c.validationErrors().isEmpty)
    }

    @Test func userDataFileIsVerbatim() throws {
        var c = minimalConfig()
        let file = "#cloud-config\n# keep: this comment\nhostname:   spaced\n"
        c.userDataFile = file
        #expect(try c.userData() == file)
        c.userDataFile = "#!/bin/sh\necho hi\n"
        #expect(try c.userData() == "#!/bin/sh\necho hi\n")
        c.userDataFile = "hostname: x\n"
        #expect(c.validationErrors().map(\.description) == ["userDataFile: must start with #cloud-config or #! (a script)"])
        c.userDataFile = "#cloud-config\n"
        c.packages = ["git"]
        #expect(c.validationErrors().map(\.description)
                == ["userDataFile: is used verbatim, so it cannot be combined with packages"])
    }

    @Test func metaData() throws {
        let meta = try fullConfig().metaData()
        #expect(meta == "instance-id: vmctl-web1-0001\nlocal-hostname: web1\n")
        var c = minimalConfig()
        c.instanceID = "1234"
        #expect(try c.metaData() == "instance-id: '1234'\nlocal-hostname: m\n")
    }

    /// cloud-init's own network-config parser and renderers (ENI for Debian,
    /// sysconfig for RHEL) turn the document into the expected configuration.
    @Test func networkConfigThroughCloudInitRenderers() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = fullConfig()
        c.staticNetwork?.interfaceName = "lab0"
        try #require(try c.networkConfig()).write(toFile: dir + "/network-config", atomically: true, encoding: .utf8)
        for (distro, kind, file) in [("debian", "eni", "/etc/network/interfaces.d/50-cloud-init"),
                                     ("rhel", "sysconfig", "/etc/sysconfig/network-scripts/ifcfg-lab0")] {
            let out = dir + "/" + kind
            let run = try runTool("cloud-init", ["devel", "net-convert", "-p", dir + "/network-config", "-k", "yaml",
                                                 "-d", out, "-D", distro, "-O", kind])
            #expect(run.status == 0, "\(run.stderr)")
            let text = (try? String(contentsOfFile: out + file, encoding: .utf8)) ?? ""
            let rules = (try? String(contentsOfFile: out + "/etc/udev/rules.d/70-persistent-net.rules", encoding: .utf8)) ?? ""
            #expect(rules.contains("ATTR{address}==\"52:54:00:ab:cd:01\", NAME=\"lab0\""), "\(rules)")
            if kind == "eni" {
                #expect(text.contains("iface lab0 inet static") && text.contains("address 192.168.150.50/24"), "\(text)")
                #expect(text.contains("gateway 192.168.150.1") && text.contains("dns-nameservers 192.168.150.1"), "\(text)")
            } else {
                for line in ["IPADDR=192.168.150.50", "NETMASK=255.255.255.0", "GATEWAY=192.168.150.1",
                             "HWADDR=52:54:00:ab:cd:01", "DNS1=192.168.150.1", "DOMAIN=lab.example"] {
                    #expect(text.contains(line), "\(line) in \(text)")
                }
            }
        }
    }

    @Test func networkConfig() throws {
        #expect(try minimalConfig().networkConfig() == nil)
        let text = try #require(try fullConfig().networkConfig())
        #expect(text == """
            version: 1
            config:
            - type: physical
              name: eth0
              mac_address: '52:54:00:ab:cd:01'
              subnets:
              - type: static
                address: '192.168.150.50/24'
                gateway: '192.168.150.1'
                dns_nameservers:
                - '192.168.150.1'
                dns_search:
                - lab.example

            """)
    }
}

@Suite struct ValidationTests {
    func errors(_ change: (inout SeedConfig) -> Void) -> [String] {
        var c = minimalConfig()
        change(&c)
        return c.validationErrors().map(\.description)
    }

    @Test func validConfigsHaveNoErrors() {
        #expect(fullConfig().validationErrors().isEmpty)
        #expect(minimalConfig().validationErrors().isEmpty)
        #expect(errors { $0.hostname = "a-b.c-d.example" }.isEmpty)
        #expect(errors { $0.hostname = String(repeating: "a", count: 63) }.isEmpty)
        #expect(errors { $0.timezone = "America/Argentina/Buenos_Aires" }.isEmpty)
        #expect(errors { $0.timezone = "Etc/GMT+5" }.isEmpty)
        #expect(errors { $0.sshAuthorizedKeys = ["ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY= x@y"] }.isEmpty)
    }

    @Test(arguments: ["", "-a", "a-", "a_b", "a b", "a\"b", "a\nb", "a: b", "a#b", "hôte", "a..b", "a.", String(repeating: "a", count: 64)])
    func badHostnamesAreRejected(_ name: String) {
        let e = errors { $0.hostname = name }
        #expect(e.count == 1)
        #expect(e.first?.hasPrefix("hostname: must be an RFC 1123 host name") == true, "\(e)")
        #expect(e.first?.contains("\n") == false)
    }

    @Test func oneLineFieldRuleErrors() {
        #expect(errors { $0.fqdn = "single" } == ["fqdn: must be an RFC 1123 host name of at least two labels, such as web1.lab.example"])
        #expect(errors { $0.sshAuthorizedKeys = [edKey, "ssh-ed25519 notbase64"] }.first?.hasPrefix("sshAuthorizedKeys[1]: must be one OpenSSH public key line") == true)
        #expect(errors { $0.sshAuthorizedKeys = ["ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAI"] }.count == 1)
        #expect(errors { $0.sshAuthorizedKeys = [edKey + "\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7"] }.count == 1)
        #expect(errors { $0.timezone = "Berlin" } == ["timezone: must be UTC or an IANA name like Area/City, such as Europe/Berlin"])
        #expect(errors { $0.timezone = "Europe/Ber lin" }.count == 1)
        #expect(errors { $0.instanceID = "a b" } == ["instanceID: must be 1-128 printable ASCII characters without spaces"])
        #expect(errors { $0.password = .hashed("plain") }.first?.hasPrefix("password: must be a crypt(3) hash") == true)
        #expect(errors { $0.password = .plain("a\nb") } == ["password: must be a non-empty password on one line"])
        // cloud-init reads the top-level password as a hash only for these ids, and R/RANDOM as "make one up".
        #expect(errors { $0.password = .hashed("$6$salt$hash") }.isEmpty)
        #expect(errors { $0.password = .hashed("$y$j9T$salt$hash") }.first?.hasPrefix("password: must be a crypt(3) hash that cloud-init recognises") == true)
        #expect(errors { $0.users = [.init(name: "u", password: .hashed("$y$j9T$salt$hash"))] }.isEmpty)
        #expect(errors { $0.password = .plain("RANDOM") }.first?.hasPrefix("password: must not be R, RANDOM") == true)
        #expect(errors { $0.password = .plain("$6$looks$hashed") }.first?.hasPrefix("password: must not be R, RANDOM") == true)
        #expect(errors { $0.password = .plain("$6$ not a hash") }.isEmpty)
        #expect(errors { $0.ntpServers = ["ok.example", "bad server"] } == ["ntpServers[1]: must be a host name or an IPv4 or IPv6 address"])
        #expect(errors { $0.packages = ["", "x"] } == ["packages[0]: must not be empty"])
        #expect(errors { $0.runcmd = [.argv([])] } == ["runcmd[0]: must have a non-empty program as its first argument"])
        #expect(errors { $0.users = [.init(name: "Bad")] }.first?.hasPrefix("users[0].name: must be a user name") == true)
        #expect(errors { $0.users = [.init(name: "ok", shell: "bash")] }.first?.hasPrefix("users[0].shell:") == true)
        #expect(errors {
            $0.staticNetwork = .init(mac: "52:54:00:00:00", interfaceName: "0bad name", address: "10.0.0.256", prefix: 33,
                                     gateway: "gw", nameservers: ["x"])
        } == [
            "staticNetwork.mac: must be six hex pairs separated by colons, such as 52:54:00:12:34:56",
            "staticNetwork.interfaceName: must be 1-15 letters, digits, _, . or -, not starting with a digit, . or -",
            "staticNetwork.address: must be an IPv4 address in dotted-quad form",
            "staticNetwork.prefix: must be 1-32",
            "staticNetwork.gateway: must be an IPv4 address in dotted-quad form",
            "staticNetwork.nameservers[0]: must be an IPv4 or IPv6 address",
        ])
    }

    @Test func outputsThrowTheFirstError() {
        var c = minimalConfig()
        c.hostname = "bad name"
        c.timezone = "nowhere"
        #expect(throws: NoCloudError.self) { try c.userData() }
        #expect(throws: NoCloudError.self) { try c.metaData() }
        #expect(throws: NoCloudError.self) { try c.isoImage(date: fixedDate) }
        do {
            _ = try c.userData()
        } catch {
            #expect("\(error)".hasPrefix("hostname: "))
        }
    }
}

@Suite struct HostileValueTests {
    static let hostile = [
        "it's \"quoted\"", "line1\nline2", "key: value", "# not a comment", "- dash", "yes", "No", "on", "null", "~",
        "0x1F", "012", "1_000", "12:30:00", "3.0", ".inf", "&anchor", "*alias", "!tag", "{a: b}", "[1, 2]", "|", ">",
        "%percent", "@at", "`back`", "ünïcødé ✓ 日本", "tab\there", " leading space", "trailing space ", "", "\u{1F600}",
        "back\\slash", "cr\rlf", "nul\u{7}bell", "'", "\"", "?", ":", "-", "---", "...", "= ",
    ]

    @Test func packagesRuncmdAndExtraValuesRoundTrip() throws {
        var c = minimalConfig()
        let nonEmpty = Self.hostile.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        c.packages = nonEmpty
        c.runcmd = nonEmpty.map { .shell($0) } + [.argv(["printf"] + Self.hostile)]
        c.users = [.init(name: "u", sudo: "ALL=(ALL) NOPASSWD: ALL # x: 'y'")]
        c.password = .plain("p: #'\"ü")
        // The user's extra YAML, holding hostile values in its own quoting.
        let extra = try Yams.dump(object: [
            "write_files": [["path": "/etc/x", "content": Self.hostile.joined(separator: "\n")]],
            "bootcmd": Self.hostile,
        ])
        c.extraUserData = extra
        let userData = try c.userData()
        let doc = try #require(try Yams.load(yaml: userData) as? [String: Any])
        #expect(doc["packages"] as? [String] == nonEmpty)
        let runcmd = try #require(doc["runcmd"] as? [Any])
        #expect(runcmd.dropLast().compactMap { $0 as? String } == nonEmpty)
        #expect(runcmd.last as? [String] == ["printf"] + Self.hostile)
        #expect(doc["bootcmd"] as? [String] == Self.hostile)
        #expect(((doc["write_files"] as? [Any])?.first as? [String: Any])?["content"] as? String
                == Self.hostile.joined(separator: "\n"))
        #expect(doc["password"] as? String == "p: #'\"ü")
        #expect(((doc["users"] as? [Any])?.last as? [String: Any])?["sudo"] as? String == "ALL=(ALL) NOPASSWD: ALL # x: 'y'")
        // The document has exactly the keys generated plus the extra ones: nothing was injected.
        #expect(Set(doc.keys) == ["hostname", "users", "password", "chpasswd", "ssh_pwauth", "packages", "runcmd", "write_files", "bootcmd"])
        // cloud-init's own parser (PyYAML, YAML 1.1) reads the same values...
        let pyyaml = try runTool("python3", ["-c", "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin.read()), sys.stdout)"],
                                 input: Data(userData.utf8))
        #expect(pyyaml.status == 0, "\(pyyaml.stderr)")
        let py = try #require(try JSONSerialization.jsonObject(with: pyyaml.stdout) as? [String: Any])
        #expect(py["packages"] as? [String] == nonEmpty)
        #expect((py["runcmd"] as? [Any])?.dropLast().compactMap { $0 as? String } == nonEmpty)
        #expect((py["runcmd"] as? [Any])?.last as? [String] == ["printf"] + Self.hostile)
        #expect(py["bootcmd"] as? [String] == Self.hostile)
        #expect(py["password"] as? String == "p: #'\"ü")
        // ...and its schema accepts the document.
        let run = try cloudInitSchema(userData)
        #expect(run.status == 0, "\(run.stderr)\n\(userData)")
    }

    @Test func hostileHostnamesAreRejectedNotEscaped() {
        // These are valid names (and quoted on output: see below).
        let validNames: Set = ["yes", "No", "on", "null", "0x1F", "012", "3.0"]
        for value in Self.hostile where !validNames.contains(value) {
            var c = minimalConfig()
            c.hostname = value
            #expect(c.validationErrors().first?.field == "hostname", "\(value.debugDescription)")
            c = minimalConfig()
            c.fqdn = value
            #expect(c.validationErrors().first?.field == "fqdn", "\(value.debugDescription)")
        }
    }

    @Test func plainScalarsReadBackAsStringsInYAML11() throws {
        // Every value the writer leaves unquoted must be a string to PyYAML too: checked with
        // cloud-init's parser through a schema that requires strings (timezone, hostname).
        var c = minimalConfig()
        c.hostname = "yes"  // a YAML 1.1 boolean if unquoted
        c.timezone = "Etc/GMT+5"
        c.packages = ["no", "on", "1e3", "0o17", "y"]
        let text = try c.userData()
        #expect(text.contains("hostname: 'yes'"))
        #expect(text.contains("- 'no'") && text.contains("- 'y'") && text.contains("- '1e3'"))
        let run = try cloudInitSchema(text)
        #expect(run.status == 0, "\(run.stderr)")
        let pyyaml = try runTool("python3", ["-c", "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin.read()), sys.stdout)"],
                                 input: Data(text.utf8))
        let py = try #require(try JSONSerialization.jsonObject(with: pyyaml.stdout) as? [String: Any])
        #expect(py["hostname"] as? String == "yes")
        #expect(py["packages"] as? [String] == ["no", "on", "1e3", "0o17", "y"])
    }
}
