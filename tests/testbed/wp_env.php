<?php
/*
 * The request a test-bed script pretends to serve, so WordPress loads the right site:
 * Debian's wp-config.php picks /etc/wordpress/config-$WORDPRESS_CONFIG.php; it ignores ports.
 * wp-load.php itself must then be required at top level (it defines globals).
 */
function testbed_request(string $config, string $host, string $url): void {
    $_SERVER['WORDPRESS_CONFIG'] = $config;
    $_SERVER['HTTP_HOST'] = $host;
    $_SERVER['SERVER_NAME'] = '127.0.0.1';
    $_SERVER['REQUEST_URI'] = '/';
    $_SERVER['SERVER_PORT'] = parse_url($url, PHP_URL_PORT);
    $_SERVER['REQUEST_METHOD'] = 'GET';
}
