fn main() {
    std::process::exit(swop::main());
}
