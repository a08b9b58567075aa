/* A stand-in for an arm64 vmlinux: no code, only what VmlinuxFile reads. */
	.section .head.text,"ax"
	.ascii "MZ"
	.balign 64, 0
	.section .rodata,"a"
	.globl linux_banner
linux_banner:
	.ascii "Linux version 6.12.117+deb12-arm64 (debian-kernel@lists.debian.org) (aarch64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP Debian 6.12.117-1~deb12u1 (2026-11-14)\n\0"
