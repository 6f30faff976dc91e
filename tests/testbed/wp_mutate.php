<?php
/*
 * Change a test-bed WordPress site the way its authors and readers would, for recrawl tests.
 *
 * php wp_mutate.php CONFIG HOST URL ACTION [ARG]
 *   add-post TITLE     publish a new post now
 *   fill-comment-page N  find (or make, with back-dated comments) an old post whose last
 *                      comment page lacks fewer than N comments to be full
 *   add-comments ID:N:TOKEN  N new top-level comments on post ID, dated now, with TOKEN in them
 *   edit-post          append a paragraph to an old post without comments
 *   trash-post         move an old post without comments to the trash (it then answers 404)
 *   settings JSON      set the options a blog owner changes (permalink_structure,
 *                      page_comments, comments_per_page, default_comments_page, comment_order,
 *                      thread_comments, thread_comments_depth); prints the previous values
 *                      and every post with more than ten approved comments (the corpus's
 *                      busy posts), with their ids in thread order (each top comment by
 *                      date, its replies after it) and by date alone, and how many comment
 *                      pages they fill
 * Prints a JSON object: the post's permalink and what changed.
 */
// WordPress defines globals such as $action while loading: ours get unlikely names.
[$script, $config, $host, $url, $mutation] = $argv;
$mutationArg = $argv[5] ?? '';

require __DIR__ . '/wp_env.php';
testbed_request($config, $host, $url);
require_once '/usr/share/wordpress/wp-load.php';
kses_remove_filters();

function top_level_count(int $id): int {
    return count(get_comments(['post_id' => $id, 'status' => 'approve', 'parent' => 0, 'type' => 'comment']));
}

function old_posts(): array {
    return get_posts(['post_type' => 'post', 'post_status' => 'publish', 'numberposts' => -1,
                      'orderby' => 'date', 'order' => 'ASC', 'has_password' => false]);
}

function untouched_post(): WP_Post {
    foreach (old_posts() as $p) {
        if ((int) $p->comment_count === 0 && !get_post_meta($p->ID, '_testbed_touched', true)) {
            update_post_meta($p->ID, '_testbed_touched', 1);
            return $p;
        }
    }
    fwrite(STDERR, "no old post without comments is left\n");
    exit(1);
}

/** Comment ids as a thread reads: each top comment by date, its replies after it by date. */
function thread_order(array $comments): array {
    $shown = [];
    foreach ($comments as $c) {
        $shown[(int) $c->comment_ID] = true;
    }
    $replies = [];
    foreach ($comments as $c) {
        $parent = (int) $c->comment_parent;
        $replies[isset($shown[$parent]) ? $parent : 0][] = (int) $c->comment_ID;
    }
    $out = [];
    $walk = function (int $parent) use (&$walk, &$replies, &$out): void {
        foreach ($replies[$parent] ?? [] as $id) {
            $out[] = (string) $id;
            $walk($id);
        }
    };
    $walk(0);
    return $out;
}

$out = [];
switch ($mutation) {
    case 'add-post':
        $id = wp_insert_post(wp_slash([
            'post_type' => 'post', 'post_status' => 'publish', 'post_title' => $mutationArg,
            'post_content' => "<p>Neu im Archiv: $mutationArg. Größtenteils über Kundenbindung.</p>",
            'post_author' => 1, 'comment_status' => 'open', 'tags_input' => ['Neuigkeiten'],
        ]), true);
        if (is_wp_error($id)) {
            fwrite(STDERR, $id->get_error_message() . "\n");
            exit(1);
        }
        $out = ['url' => get_permalink($id)];
        break;
    case 'fill-comment-page':
        // Before the first crawl: a post whose last comment page is nearly full, so that
        // N more comments open a new page (back-dated fillers if no post is like that).
        $per = (int) get_option('comments_per_page');
        $n = (int) $mutationArg;
        $chosen = null;
        foreach (old_posts() as $p) {
            $top = top_level_count($p->ID);
            if ($top > 0 && $top % $per !== 0 && $top % $per + $n > $per) {
                $chosen = $p;
                break;
            }
        }
        if (!$chosen) {
            foreach (old_posts() as $p) {
                if (top_level_count($p->ID) > 0) {
                    $chosen = $p;
                    break;
                }
            }
            $i = 0;
            while (top_level_count($chosen->ID) % $per !== $per - 1) {
                $i++;
                $date = date('Y-m-d H:i:s', strtotime($chosen->post_date_gmt) + 3600 * $i);
                wp_insert_comment(wp_slash([
                    'comment_post_ID' => $chosen->ID, 'comment_author' => "Stammleser $i",
                    'comment_author_email' => "alt$i@example.invalid",
                    'comment_content' => "Früher Kommentar $i zu diesem Beitrag.",
                    'comment_date' => $date, 'comment_date_gmt' => $date,
                    'comment_approved' => 1, 'comment_type' => 'comment',
                ]));
            }
        }
        $out = ['url' => get_permalink($chosen), 'id' => $chosen->ID,
                'pages' => (int) ceil(top_level_count($chosen->ID) / $per)];
        break;
    case 'add-comments':
        [$postId, $n, $token] = array_pad(explode(':', $mutationArg, 3), 3, '');
        [$postId, $n] = [(int) $postId, (int) $n];
        $per = (int) get_option('comments_per_page');
        $before = (int) ceil(top_level_count($postId) / $per);
        for ($i = 1; $i <= $n; $i++) {
            wp_insert_comment(wp_slash([
                'comment_post_ID' => $postId, 'comment_author' => "Neue Leserin $i",
                'comment_author_email' => "neu$i@example.invalid",
                'comment_content' => "Nachtrag $i $token: Das hat bei uns größtenteils funktioniert.",
                'comment_approved' => 1, 'comment_type' => 'comment',
            ]));
        }
        $out = ['url' => get_permalink($postId), 'pages_before' => $before,
                'pages_after' => (int) ceil(top_level_count($postId) / $per)];
        break;
    case 'pick-post':  // an old post without comments, to archive before editing it
        $p = untouched_post();
        $out = ['url' => get_permalink($p->ID), 'id' => $p->ID];
        break;
    case 'edit-post':  // the post of id $mutationArg, or an untouched one
        $p = $mutationArg !== '' ? get_post((int) $mutationArg) : untouched_post();
        wp_update_post(wp_slash(['ID' => $p->ID,
            'post_content' => $p->post_content . "\n<p>Nachtrag: ergänzt für die Neuauflage.</p>"]));
        $out = ['url' => get_permalink($p->ID)];
        break;
    case 'trash-post':
        $p = untouched_post();
        $link = get_permalink($p->ID);
        wp_trash_post($p->ID);
        $out = ['url' => $link];
        break;
    case 'settings':
        $wanted = json_decode($mutationArg, true);
        $previous = [];
        foreach ($wanted as $name => $value) {
            $previous[$name] = get_option($name);
            if ($name === 'permalink_structure') {
                global $wp_rewrite;
                $wp_rewrite->set_permalink_structure($value);
            } else {
                update_option($name, $value);
            }
        }
        flush_rewrite_rules(false);
        $per = max(1, (int) get_option('comments_per_page'));
        $paged = [];
        foreach (old_posts() as $p) {
            $approved = get_comments([
                'post_id' => $p->ID, 'status' => 'approve',
                'orderby' => ['comment_date_gmt' => 'ASC', 'comment_ID' => 'ASC']]);
            $ids = thread_order($approved);
            if (count($ids) > 10) {
                $pages = get_option('page_comments') ? (int) ceil(top_level_count($p->ID) / $per) : 1;
                $paged[] = ['url' => get_permalink($p->ID), 'id' => $p->ID, 'comments' => $ids,
                            'dated' => array_map(fn($c) => (string) $c->comment_ID, $approved),
                            'pages' => $pages];
            }
        }
        $out = ['previous' => $previous, 'posts' => $paged];
        break;
    default:
        fwrite(STDERR, "unknown action $mutation\n");
        exit(2);
}
echo json_encode($out, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
