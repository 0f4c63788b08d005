# Helper used once to write own-examples.json from the compact list below (kept for review).
import json
cat_fr = [
  {"id":"chemise","name":"Chemise pagne homme","aliases":["chemise","chemise en pagne"],"price":9000,"currency":"XOF","stock":6,"category":"vêtements","variants":{"size":["M","L","XL"]}},
  {"id":"mocassin","name":"Mocassins cuir","aliases":["mocassins","mocassin"],"price":22000,"currency":"XOF","stock":3,"category":"chaussures","variants":{"size":["40","41","42","43"],"colour":["noir","marron"]}},
  {"id":"sac_bandouliere","name":"Sac bandoulière","aliases":["bandoulière","sac bandouliere"],"price":11000,"currency":"XOF","stock":0,"category":"sacs","variants":{"colour":["beige","noir"]}},
  {"id":"tecno_pova","name":"Tecno Pova 5","aliases":["pova 5","pova"],"price":98000,"currency":"XOF","stock":4,"category":"téléphones"},
  {"id":"ecouteurs","name":"Écouteurs sans fil","aliases":["écouteurs","airpods"],"price":8000,"currency":"XOF","stock":10,"category":"accessoires"},
  {"id":"creme","name":"Crème hydratante karité","aliases":["crème","creme karite"],"price":4500,"currency":"XOF","stock":12,"category":"soins"},
  {"id":"perruque","name":"Perruque lisse 20 pouces","aliases":["perruque"],"price":55000,"currency":"XOF","stock":2,"category":"cheveux"},
]
cat_en = [
  {"id":"beans","name":"Honey beans (paint)","aliases":["beans","oloyin beans"],"price":700000,"currency":"NGN","stock":10,"category":"food"},
  {"id":"semovita","name":"Semovita 10kg","aliases":["semovita","semo"],"price":1100000,"currency":"NGN","stock":5,"category":"food"},
  {"id":"fan","name":"Standing fan 18 inch","aliases":["standing fan","fan"],"price":4200000,"currency":"NGN","stock":3,"category":"home"},
  {"id":"iron","name":"Electric pressing iron","aliases":["pressing iron","iron"],"price":1500000,"currency":"NGN","stock":0,"category":"home"},
  {"id":"sneakers","name":"Canvas sneakers","aliases":["sneakers","canvas"],"price":1800000,"currency":"NGN","stock":8,"category":"shoes","variants":{"size":["40","41","42","43","44"],"colour":["white","black"]}},
]
# (catalogue, lang, intent, text, products, extra)
rows = r'''
fr|fr|negotiate|je te donne 8000 pour la chemise, on fait affaire ?|chemise
fr|fr|negotiate|à 18 000 tu me laisses les mocassins ?|mocassin
fr|fr|negotiate|pour 2 écouteurs tu fais combien ?|ecouteurs
fr|fr|negotiate|Si je prends 3 crèmes c'est combien le tout, tu peux faire un geste ?|creme
fr|fr|negotiate|le dernier prix de la perruque c'est combien ?|perruque
fr|fr|negotiate|Mon frère 95 000 pour le Pova ça passe ?|tecno_pova
fr|fr|negotiate|tu peux descendre un peu sur le prix ?|
fr|fr|negotiate|c'est cher deh, fais moi un bon prix pour la chemise|chemise
fr|fr|negotiate|On peut s'arranger sur le prix si j'en prends plusieurs ?|
en|en|negotiate|I'll give you 15k for the sneakers|sneakers
en|en|negotiate|Can you do 40k for the fan? Last last|fan
en|pidgin|negotiate|Abeg reduce am small, na my last money be this|
en|en|negotiate|What's your best price for 3 bags of semovita?|semovita
fr|fr|availability|la chemise ça reste ?|chemise
fr|fr|availability|y en a combien encore des écouteurs ?|ecouteurs
fr|fr|availability|Le Pova 5 est arrivé ?|tecno_pova
fr|fr|availability|vous avez encore la perruque ?|perruque
fr|fr|availability|les mocassins marron en 42 ça existe ?|mocassin
fr|fr|availability|Il en reste encore de la crème ?|creme
en|en|availability|Is the standing fan still there?|fan
en|pidgin|availability|Una still get beans?|beans
en|en|availability|Do you have the sneakers in size 43?|sneakers
en|en|availability|Any semovita left?|semovita
fr|fr|complaint|le téléphone s'éteint tout seul depuis hier|tecno_pova
fr|fr|complaint|C'est pas la couleur que j'ai commandé, j'avais dit noir|mocassin
fr|fr|complaint|Les écouteurs ne chargent plus, ça fait même pas une semaine|ecouteurs
fr|fr|complaint|La crème m'a donné des boutons, c'est quoi ça ?|creme
fr|fr|complaint|Ça fait 5 jours que j'attends mon colis, vous vous moquez de moi|
fr|fr|complaint|La chemise a déteint au premier lavage, je suis pas contente|chemise
en|en|complaint|The iron you sold me doesn't heat at all|iron
en|en|complaint|I paid since Monday and nobody has contacted me, this is not fair|
en|pidgin|complaint|Dis beans wey una send get stone inside, e no good at all|beans
en|en|complaint|The fan is making a strange noise, I'm disappointed|fan
fr|fr|delivery|mon colis est où ?|
fr|fr|delivery|Vous avez déjà envoyé ma commande ?|
fr|fr|delivery|Le livreur arrive à quelle heure ?|
fr|fr|delivery|vous livrez à Bingerville ?|
fr|fr|delivery|c'est combien la livraison à Cocody ?|
en|en|delivery|When will my order arrive?|
en|en|delivery|Has the rider left with my package?|
en|en|delivery|Do you deliver to Lekki and how much?|
en|pidgin|delivery|My goods don comot? Abeg when e go reach?|
fr|fr|payment|c'est quel numéro pour envoyer l'argent ?|
fr|fr|payment|Je peux payer à la livraison ?|
fr|fr|payment|Vous prenez Wave ou seulement Orange Money ?|
fr|fr|payment|j'ai fait le dépôt, vérifiez svp|
en|en|payment|Is cash on delivery available?|
en|en|payment|Send me your account details for the transfer|
en|en|payment|Can I pay half now and half on delivery?|
en|pidgin|payment|Which account I go send the money?|
fr|fr|unknown|tu as vu le match hier ?|
fr|fr|unknown|Envoie-moi la liste des joueurs de la CAN|
fr|fr|unknown|Il pleut trop à Abidjan aujourd'hui|
fr|fr|unknown|Tu connais un bon mécanicien à Yopougon ?|
fr|fr|unknown|mdr t'as vu la vidéo que j'ai partagé ?|
fr|fr|unknown|C'est qui qui a gagné hier soir ?|
en|en|unknown|Did you watch the match yesterday?|
en|en|unknown|Who won the election results?|
en|pidgin|unknown|How body? Wetin dey happen for your area?|
en|en|unknown|My cousin is getting married next week|
fr|fr|human|Je veux parler au patron|
fr|fr|human|Passez-moi quelqu'un de la boutique svp|
fr|fr|human|Vous êtes un robot ? Je veux une vraie personne|
fr|fr|human|Appelez-moi au lieu d'écrire|
en|en|human|Can I speak with the owner please|
en|en|human|Let me talk to a real person|
en|pidgin|human|Abeg make oga call me|
fr|fr|catalog|Vous avez quoi comme téléphones ?|
fr|fr|catalog|Montrez-moi vos chaussures|
fr|fr|catalog|Vous vendez quoi exactement ?|
fr|fr|catalog|Envoyez les photos de vos nouveautés|
en|en|catalog|What kind of shoes do you have?|
en|en|catalog|Send me pictures of what you sell|
fr|fr|order|Je prends la chemise en L|chemise
fr|fr|order|Mettez-moi 2 crèmes de côté, je passe ce soir|creme
fr|fr|order|Je veux commander le Pova 5|tecno_pova
fr|fr|order|Finalement je veux les mocassins noirs pas les marron|mocassin
en|en|order|I want 2 paint of beans|beans
en|en|order|Book the fan for me, I'll come tomorrow|fan
en|pidgin|order|Abeg pack 3 semovita for me|semovita
fr|fr|price|La chemise c'est combien ?|chemise
fr|fr|price|Prix des écouteurs ?|ecouteurs
fr|fr|price|Ça fait combien au total pour 2 crèmes et la perruque ?|creme,perruque
en|en|price|How much is the pressing iron?|iron
en|en|price|Price of semovita?|semovita
en|pidgin|price|How much una dey sell beans?|beans
fr|fr|price|Chemise pagne ?|chemise
fr|fr|price|Pova 5 ?|tecno_pova
fr|fr|price|la crème karité ?|creme
fr|fr|price|Bonjour, mocassins cuir|mocassin
fr|fr|price|perruque lisse ?|perruque
en|en|price|Standing fan?|fan
en|en|price|Canvas sneakers?|sneakers
en|pidgin|price|Semovita 10kg?|semovita
fr|fr|greeting|Bonjour la boutique|
fr|fr|greeting|Bonsoir maman, comment ça va ?|
en|en|greeting|Good morning ma|
fr|fr|thanks|Ok merci beaucoup|
fr|fr|thanks|👍|
en|en|thanks|Thanks, noted|
fr|fr|location|Vous êtes où exactement ?|
fr|fr|location|C'est à côté de quoi votre magasin ?|
en|en|location|Where is your shop located?|
fr|fr|hours|Vous ouvrez à quelle heure demain ?|
fr|fr|hours|Vous êtes ouverts le dimanche ?|
en|en|hours|What time do you close today?|
fr|fr|order|chemise x2|chemise
fr|fr|order|écouteurs x3 svp|ecouteurs
fr|fr|order|crème karité x 4 pour moi|creme
fr|fr|order|Mocassins noir 42 x1, à livrer demain|mocassin
fr|fr|order|pova 5 ×2 stp|tecno_pova
fr|fr|order|bandoulière beige x2 et chemise XL x1|sac_bandouliere,chemise
en|en|order|semovita x3|semovita
en|en|order|sneakers white 43 x2 please|sneakers
en|en|order|beans x 5, deliver to Yaba|beans
en|en|order|standing fan ×1 and iron x1|fan,iron
# Issue 14 fifth pass (helper h-acc): greetings and wishes, orders, counter-offers, stock against price
# against range questions, complaints, general promotion alerts, French-English-pidgin mixes.
fr|fr|greeting|Joyeuses fêtes à vous et à toute votre famille 🎄|
fr|fr|greeting|Bonne et heureuse année à toute l'équipe de la boutique !|
fr|fr|greeting|Mes meilleurs vœux de santé et de réussite pour vos affaires|
fr|fr|greeting|Bonne fête de Pâques ma chère|
fr|fr|greeting|Ramadan moubarak à vous et aux vôtres 🌙|
fr|fr|greeting|Bonjour ma sœur, ça fait longtemps ! La famille va bien ?|
fr|fr|greeting|Bonsoir tonton, bien arrivé ?|
fr|mixed|greeting|Hello la boutique, how una dey ce matin ?|
en|en|greeting|Merry Christmas and a prosperous new year to you ma|
en|en|greeting|Happy Eid to you and your household|
en|en|greeting|Good evening, hope business is going well|
en|pidgin|greeting|My oga, how body? How market?|
en|en|greeting|Happy independence day to you all 🇳🇬|
en|en|greeting|Compliments of the season, boss!|
fr|fr|price|Bonjour, la chemise en XL c'est à combien ?|chemise
en|en|price|Good morning ma, how much is the semovita now?|semovita
fr|fr|availability|Bonsoir, la perruque est toujours là ?|perruque
en|en|availability|Hello, do you have the sneakers in white size 42?|sneakers
fr|fr|order|Bonjour madame, je veux 2 crèmes karité pour demain|creme
en|pidgin|order|Good morning, I wan collect 3 paint of beans|beans
fr|fr|order|Mettez-moi de côté les mocassins marron en 41, je passe samedi|mocassin
fr|fr|order|C'est bon je prends la bandoulière beige, envoyez-moi le numéro Wave|sac_bandouliere
fr|fr|order|Annulez la chemise, je garde seulement les écouteurs|chemise,ecouteurs
fr|fr|order|Ajoutez une crème à ma commande d'hier svp|creme
fr|fr|order|Je confirme pour le Pova 5, je viens le chercher à 16h|tecno_pova
fr|mixed|order|Je veux buy 2 écouteurs, tu peux keep them pour moi ?|ecouteurs
en|en|order|Please book one standing fan for me, I'll pay on delivery|fan
en|en|order|Change my order from size 42 to 43 please|sneakers
en|pidgin|order|Abeg package 2 bags of semovita for me, I dey come|semovita
en|en|order|I'll have the pressing iron, when can I pick it up?|iron
en|en|order|Count me in for 4 pairs of sneakers, black|sneakers
fr|fr|negotiate|La perruque à 45 000 je prends tout de suite|perruque
fr|fr|negotiate|Tu ne peux pas me laisser les mocassins à 18 000 ?|mocassin
fr|fr|negotiate|C'est un peu cher pour moi, tu peux enlever 2000 ?|
fr|fr|negotiate|Pour 5 chemises tu me fais quel prix ?|chemise
fr|fr|negotiate|On peut trouver un terrain d'entente sur le Pova ?|tecno_pova
fr|fr|negotiate|Je suis revendeuse, quel est ton prix de gros pour les crèmes ?|creme
fr|mixed|negotiate|Tu me do les écouteurs à 6000 ?|ecouteurs
fr|mixed|negotiate|If I buy 3 chemises tu fais combien ?|chemise
en|en|negotiate|Would you accept 35k for the fan? Cash today|fan
en|en|negotiate|That's above my budget, can you knock something off?|
en|pidgin|negotiate|Abeg make am 16k make I carry the sneakers now|sneakers
en|en|negotiate|If I take 4 bags of beans, what's your best price?|beans
en|en|negotiate|Another shop sells this iron for 12k, can you match it?|iron
en|pidgin|negotiate|Oga the price too high, drop am small|
fr|fr|availability|Les écouteurs sont encore en stock ?|ecouteurs
fr|fr|availability|La bandoulière noire est revenue ?|sac_bandouliere
fr|fr|availability|Vous avez la chemise en M ?|chemise
fr|fr|availability|Il vous reste des Pova 5 ?|tecno_pova
fr|mixed|availability|La perruque is still available ?|perruque
en|en|availability|Is the pressing iron back in stock?|iron
en|pidgin|availability|The semovita still dey?|semovita
en|en|availability|Have you got the standing fan today?|fan
fr|fr|price|La crème karité coûte combien ?|creme
fr|fr|price|Quel est le prix des mocassins ?|mocassin
fr|mixed|price|How much la chemise pagne ?|chemise
en|en|price|What's the price of the canvas sneakers?|sneakers
en|pidgin|price|Semovita na how much now?|semovita
fr|fr|catalog|Vous vendez quoi comme chaussures ?|
fr|fr|catalog|Vous vendez aussi des montres ?|
fr|fr|catalog|Envoyez-moi les photos de tous vos sacs|
fr|fr|catalog|Vous avez quels modèles de téléphones ?|
fr|fr|catalog|Qu'est-ce que vous avez comme soins pour le visage ?|
fr|mixed|catalog|Show me vos nouveautés de la semaine|
en|en|catalog|Do you sell kitchen utensils too?|
en|en|catalog|What kinds of shoes do you stock?|
en|en|catalog|Can I see your full list of foodstuff?|
en|pidgin|catalog|Wetin una dey sell for home appliances?|
fr|fr|complaint|J'ai reçu une chemise tachée, c'est inacceptable|chemise
fr|fr|complaint|Les mocassins se décollent déjà, ça fait même pas 2 semaines|mocassin
fr|fr|complaint|Ça fait une semaine que j'attends ma commande, personne ne répond|
fr|fr|complaint|Vous m'avez livré la mauvaise taille et le livreur était impoli|
fr|mixed|complaint|My order never reach, ça fait 5 jours|
en|en|complaint|The fan stopped rotating after two days, I want my money back|fan
en|pidgin|complaint|The beans get weevil, una sell spoil market give me|beans
en|en|complaint|I was charged twice for the same order, please fix this|
en|en|complaint|Your rider was rude to my mother and left the parcel outside|
fr|fr|unknown|Ma cousine se marie samedi, on va bien danser 😄|
fr|fr|unknown|Il pleut fort ici à Cocody depuis ce matin|
en|en|unknown|Sorry, wrong chat|
en|pidgin|unknown|Na who dey call me since morning?|
fr|fr|unknown|Le match d'hier là, on a souffert 😂|
fr|fr|opt_in|Prévenez-moi pour les prochaines promotions svp|
fr|fr|opt_in|Je veux être au courant de vos nouveautés chaque semaine|
en|en|opt_in|Keep me posted on your upcoming deals|
en|pidgin|opt_in|Abeg put me for una promo list|
fr|fr|thanks|D'accord, merci pour l'info|
en|en|thanks|Alright, well received, thanks|
fr|fr|location|Votre boutique c'est vers quel carrefour ?|
en|pidgin|delivery|Una fit bring am come Ikeja today?|
fr|fr|payment|Je peux payer la moitié maintenant et le reste à la livraison ?|
fr|fr|human|Passez-moi quelqu'un de la boutique svp, pas le robot|
fr|fr|catalog|Quels sont les tarifs de vos chaussures ?|
fr|fr|catalog|Les prix de tes téléphones stp, je compare avant de venir|
en|en|catalog|What are the prices of your home appliances?|
en|pidgin|catalog|Abeg send me the prices of all your foodstuff|
'''
msgs = []
for i, line in enumerate(l for l in rows.strip().split('\n') if l.strip() and not l.startswith('#')):
  cat, lang, intent, text, prods = line.split('|')
  msgs.append({"id": f"own{i+1}", "catalogue": "own_fr" if cat == 'fr' else "own_en", "lang": lang, "text": text,
               "intent": intent, "intents": [intent], "products": [p for p in prods.split(',') if p], "tags": ["own"]})
out = {"version": 1, "writer": "intent engine helper (training only, never evaluation)",
       "description": "Examples written for training the intent model only, with the labelling conventions of test/fixtures/intents/dev.json. Written by someone who has seen the engine, so they must never be used to measure it.",
       "catalogues": {"own_fr": {"currency": "XOF", "products": cat_fr}, "own_en": {"currency": "NGN", "products": cat_en}},
       "messages": msgs}
json.dump(out, open('scripts/intent-training/own-examples.json', 'w'), ensure_ascii=False, indent=1)
print(len(msgs))
