// Where the repository is, for tests that use the example school, the theme or the fixtures.
import Foundation

/// The repository root (this file is Tests/PortalTestSupport/Repository.swift).
public let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
