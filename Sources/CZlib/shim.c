// The module is the header in include/; this file exists so SwiftPM builds a C target.
